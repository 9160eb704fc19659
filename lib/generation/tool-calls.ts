/**
 * The tools a generation offers its model (lib/tools), wrapped so that every call is a part of
 * the answer (docs/design.md §3.11): its input, its status, its output or error, written as it
 * happens. A call marked as needing approval waits for a member's click (any server may take
 * it: the answer is read from the database). A tool's output counts against the context
 * budget; a tool's error is given to the model (and shown), never the end of the answer.
 */
import "server-only";
import { setTimeout as sleep } from "node:timers/promises";
import { tool, type ToolSet } from "ai";
import type { AppTool } from "../tools";
import type { Logger } from "../log";
import { uuidv7 } from "../ids";
import { decideToolCall, readToolDecision, recordToolRun, type ToolDecision } from "@/db/queries/parts";
import type { PartsRecorder } from "./parts-recorder";

/** How often a call that waits for approval looks for the answer. */
const DECISION_POLL_MS = 400;
/** Output below this much room is not worth giving: the call fails instead. */
const MIN_OUTPUT_ROOM = 200;

export interface ToolRunContext {
  recorder: PartsRecorder;
  requestUuid: string;
  userId: string;
  timeZone?: string;
  signal: AbortSignal;
  budget: ToolBudget;
  toolTimeoutMs: number;
  approvalTimeoutMs: number;
  /**
   * Writes what waits (fenced by the attempt): false when the attempt is no longer this
   * runner's. A tool runs only once its "running" is stored, so that an attempt after a crash
   * knows it may have run and does not run it again.
   */
  flush(): Promise<boolean>;
  attempt: number;
  /** The model's clocks stop while a tool runs or waits (it is not the model being slow). */
  pause(): void;
  resume(): void;
  logger: Logger;
}

/**
 * What is left of the context budget for tools' output: each output is cut to what remains
 * (and to a share of the budget), with a note saying so; none is given once it is spent.
 */
export class ToolBudget {
  constructor(
    private remaining: number,
    private readonly perCall: number,
  ) {}

  fit(output: unknown): unknown {
    const text = typeof output === "string" ? output : JSON.stringify(output ?? null);
    const room = Math.min(this.remaining, this.perCall);
    if (text.length <= room) {
      this.remaining -= text.length;
      return output;
    }
    if (room < MIN_OUTPUT_ROOM) throw new Error("There is no room left in the conversation for this tool's output (its context budget is spent).");
    this.remaining -= room;
    // Cut where it may (a split emoji's half becomes U+FFFD, never a lone surrogate).
    const kept = text.slice(0, room).toWellFormed();
    return `${kept}\n[${text.length - kept.length} more characters left out to stay within the context budget]`;
  }
}

export class ToolDenied extends Error {}

/** The AI SDK tool set for these tools, every call recorded as a part. */
export function toolSet(tools: readonly AppTool[], ctx: ToolRunContext): ToolSet {
  return Object.fromEntries(
    tools.map((t) => [
      t.name,
      tool({
        description: t.description,
        inputSchema: t.inputSchema,
        execute: (input: unknown, { toolCallId }: { toolCallId: string }) => runCall(t, toolCallId, input, ctx),
      }),
    ]),
  );
}

function message(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.trim().slice(0, 1_000) || "The tool failed without saying why.";
}

/**
 * One call: approval first when the tool needs it, then the tool, its output fitted to the
 * budget. Throws on a tool error or a refusal (the SDK gives the model the error).
 */
export async function runCall(t: AppTool, callId: string, input: unknown, ctx: ToolRunContext): Promise<unknown> {
  const { recorder } = ctx;
  await recorder.announcedCall(callId);
  recorder.toolStarted(callId, t.name, t.source);
  recorder.toolChanged(callId, { input });
  ctx.pause();
  const started = Date.now();
  let status: "done" | "error" | "denied" = "error";
  try {
    if (t.needsApproval) {
      // The wait is the call's, not the attempt's: an attempt after a hand-over waits only for what is left.
      const askedAt = recorder.tool(callId)?.askedAt ?? new Date().toISOString();
      recorder.toolChanged(callId, { status: "awaiting-approval", needsApproval: true, askedAt });
      const decision = await waitForDecision(ctx, callId, Date.parse(askedAt) + ctx.approvalTimeoutMs);
      if (!decision.approve) {
        status = "denied";
        const why = decision.by ? `${decision.by.name} did not allow this call.` : "Nobody allowed this call in time.";
        recorder.toolChanged(callId, { status: "denied", error: why, endedAt: new Date().toISOString(), ...(decision.by ? { decidedBy: decision.by } : {}) });
        throw new ToolDenied(why);
      }
      if (decision.by) recorder.toolChanged(callId, { decidedBy: decision.by });
    }
    recorder.toolChanged(callId, { status: "running", startedAt: new Date().toISOString() });
    if (!(await ctx.flush().catch(() => false))) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      throw new Error("The answer could not be saved just now, so the tool was not run.");
    }
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.toolTimeoutMs)]);
    const result = await t.run(input, { signal, ...(ctx.timeZone ? { timeZone: ctx.timeZone } : {}) });
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const output = ctx.budget.fit(result.output);
    recorder.toolChanged(callId, { status: "done", output, endedAt: new Date().toISOString() });
    for (const s of result.sources ?? []) recorder.source(s.url, s.title, t.name);
    status = "done";
    return output;
  } catch (err) {
    if (status !== "denied" && !ctx.signal.aborted) {
      const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      const error = timedOut ? `The tool did not answer within ${Math.round(ctx.toolTimeoutMs / 1000)} seconds.` : message(err);
      recorder.toolChanged(callId, { status: "error", error, endedAt: new Date().toISOString() });
      throw new Error(error);
    }
    throw err;
  } finally {
    ctx.resume();
    if (!ctx.signal.aborted) {
      recordToolRun({ id: uuidv7(), requestUuid: ctx.requestUuid, userId: ctx.userId, tool: t.name, source: t.source, status, ms: Date.now() - started }).catch((err: unknown) =>
        ctx.logger.warn({ err, tool: t.name }, "could not record a tool run"),
      );
    }
  }
}

/**
 * A member's answer to the call, from any server; past the approval timeout the call is
 * refused (and recorded so, so that a late click gets a clear 409).
 */
async function waitForDecision(ctx: ToolRunContext, callId: string, until: number): Promise<ToolDecision> {
  for (;;) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const decision = await readToolDecision({ requestUuid: ctx.requestUuid, callId });
    if (decision) return decision;
    if (Date.now() >= until) {
      // Refused in the runner's name only while the attempt is still its own.
      const refused = await decideToolCall({ requestUuid: ctx.requestUuid, callId, approve: false, userId: null, attempt: ctx.attempt });
      if (refused) return { approve: false, by: null };
      continue; // a member answered at the last moment (or the attempt is gone: the signal says so)
    }
    await sleep(DECISION_POLL_MS, undefined, { signal: ctx.signal }).catch(() => {});
  }
}
