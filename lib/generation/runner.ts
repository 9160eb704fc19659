/**
 * Runs one generation, detached from any HTTP connection: claim the request, stream from the
 * model with the AI SDK, write the output to PostgreSQL in batches, and end it in one
 * transaction. Every write is fenced by the claimed attempt, so a runner that lost its claim
 * (cancelled, lease taken over after a stall, chat deleted) stops at its next write.
 */
import "server-only";
import { stepCountIs, streamText, type LanguageModelUsage, type ModelMessage } from "ai";
import { env } from "../env";
import { uuidv7 } from "../ids";
import { findModel, languageModel } from "../models/registry";
import {
  claimRequest,
  failExhaustedRequest,
  findChatByUuid,
  finishAttempt,
  historyUpTo,
  recordRequestSent,
  releaseLease,
  restartOutput,
  type ClaimedRequest,
} from "@/db/queries/attempts";
import { readAttemptText, recordAnswerNotes } from "@/db/queries/output";
import { attachmentsOf } from "@/db/queries/attachments";
import { readAttachmentBytes } from "../files/storage";
import { lastCursor, readAttemptEvents } from "@/db/queries/parts";
import { applyPartEvents, type Part } from "../parts";
import { loadTools, type AppTool } from "../tools";
import { PartsRecorder } from "./parts-recorder";
import { openCalls, resumePlan } from "./resume";
import { runCall, ToolBudget, toolSet, type ToolRunContext } from "./tool-calls";
import { reasoningOptions, reasoningOn, toolsOffered } from "./capabilities";
import { continuationMessages, continuationMode, createJoiner } from "./continuation";
import { estimateTokens } from "@/db/queries/usage";
import { Heartbeat } from "./heartbeat";
import { retryWhileDatabaseDown } from "./db-retry";
import { isDatabaseDown } from "../http/db-errors";
import type { Logger } from "../log";
import { GenerationStop, requestRejected } from "./errors";
import { Deadlines } from "./deadlines";
import { endingOf } from "./ending";
import { buildPrompt, loggable, messageText } from "./prompt";
import { extractPdfText, promptFiles } from "./prompt-files";
import { generateChatTitle } from "./title";
import { localRuns } from "./local-runs";
import { log, logPrompts } from "../log";
import { metrics } from "../metrics";
import { codePointLength } from "../text";

/**
 * How long the last write of an answer waits for an unreachable database (a restart, a
 * failover) before giving up. Meanwhile the answer stays `running` under this runner; past
 * it, the lease runs out and the next poll generates the answer again (attempt + 1).
 */
const FINAL_WRITE_RETRY_MS = 60_000;

/** How long one runner may generate before it hands over (Vercel: under the function's maxDuration). */
export function runnerTimeBudgetMs(e = env()): number | undefined {
  if (e.RUNNER_TIME_BUDGET_MS !== undefined) return e.RUNNER_TIME_BUDGET_MS > 0 ? e.RUNNER_TIME_BUDGET_MS : undefined;
  // The generating routes export maxDuration = 300: hand over 15 s before the platform stops us.
  return e.VERCEL ? 285_000 : undefined;
}

/**
 * Claims the request and runs one attempt of it; a request that cannot be claimed is left
 * alone (finished, or owned by a live runner) or, when its runners died too often, failed.
 */
export async function runGeneration(requestUuid: string): Promise<void> {
  const e = env();
  const claim = await claimRequest({ requestUuid, leaseMs: e.LEASE_MS, maxAttempts: e.MAX_ATTEMPTS, newMessageUuid: uuidv7() });
  if (!claim) return failIfExhausted(requestUuid);
  // A continuation the model refused starts over, once, as the last resort (docs/design.md §5.3).
  if ((await runAttempt(claim.request)) === "restart") await runAttempt({ ...claim.request, carriedChars: 0 }, { restarted: true });
}

/** Not claimable: if its runners died MAX_ATTEMPTS times, it ends failed with its partial text. */
async function failIfExhausted(requestUuid: string): Promise<void> {
  const e = env();
  const budgetMs = runnerTimeBudgetMs(e);
  const exhausted = await failExhaustedRequest({
    requestUuid,
    maxAttempts: e.MAX_ATTEMPTS,
    error:
      budgetMs === undefined
        ? `The answer was interrupted ${e.MAX_ATTEMPTS} times because the server stopped while generating. Retry.`
        : `The answer was interrupted ${e.MAX_ATTEMPTS} times: it takes longer than one run may last here (${budgetMs / 1000} s), or the server kept stopping. Retry, or ask for a shorter answer.`,
  });
  if (exhausted) {
    metrics.generationExhausted();
    log().warn({ llmRequestId: requestUuid, maxAttempts: e.MAX_ATTEMPTS }, "generation failed: interrupted too many times");
  }
}

/**
 * One attempt: ask the model (to continue the text carried over, if any), write its output as
 * it comes, and end the attempt one way or another. "restart": the model refused to continue
 * before writing anything, and the carried text was dropped; run the attempt again from nothing.
 */
async function runAttempt(request: ClaimedRequest, opts: { restarted?: boolean } = {}): Promise<"restart" | undefined> {
  const e = env();
  const { uuid: requestUuid, attempt } = request;
  const logger = log().child({ llmRequestId: requestUuid, attempt });
  const startedAt = Date.now();
  logger.info({ model: request.model, chatUuid: request.chatUuid }, "generation started");
  metrics.generationStarted();
  let outcome: Parameters<typeof metrics.generationEnded>[0]["outcome"] = "stopped";
  let counted = false;
  // Counted once, as soon as the answer's end is stored (not after the title that may follow it).
  const count = () => {
    if (counted) return;
    counted = true;
    metrics.generationEnded({ outcome, model: request.model, characters: codePointLength(batcher.text), outputTokens: usage?.outputTokens });
  };

  const controller = new AbortController();
  let stop: GenerationStop | undefined;
  const abort = (s: GenerationStop) => {
    if (stop) return;
    stop = s;
    controller.abort(s);
  };
  const unregister = localRuns.add(requestUuid, abort);
  const heartbeat = new Heartbeat({
    requestUuid,
    attempt,
    leaseMs: e.LEASE_MS,
    flushIntervalMs: e.FLUSH_INTERVAL_MS,
    flushMaxChars: e.FLUSH_MAX_CHARS,
    logger,
    onFenced: abort,
    stopped: () => stop !== undefined,
  });
  const { batcher } = heartbeat;
  // The whole answer's deadline runs from its first attempt: continuing does not reset it.
  const elapsedMs = request.startedAt ? Math.max(0, Date.now() - request.startedAt.getTime()) : 0;
  const deadlines = new Deadlines(
    {
      firstTokenMs: e.FIRST_TOKEN_TIMEOUT_MS,
      stallMs: e.STALL_TIMEOUT_MS,
      totalMs: Math.max(1_000, e.GENERATION_TIMEOUT_MS - elapsedMs),
      budgetMs: runnerTimeBudgetMs(e),
    },
    abort,
  );
  const estimated = Boolean(findModel(request.model)?.demo);
  let usage: LanguageModelUsage | undefined;
  let sent: Promise<void> = Promise.resolve();
  let continuing = false;
  let added = 0;
  const finish = (status: "completed" | "failed", error?: string) =>
    finishAttempt({
      requestUuid,
      attempt,
      status,
      text: batcher.text,
      ...(error === undefined ? {} : { error }),
      usage: status === "completed" || usage ? { inputTokens: usage?.inputTokens, outputTokens: usage?.outputTokens, estimated } : undefined,
    });
  try {
    const prepared = await prepareAttempt(request, logger, opts);
    sent = prepared.sent;
    batcher.carry(prepared.carried, prepared.carriedSeq);
    // Starting over is the last resort of a refused continuation, never with tool steps behind
    // it: their calls would run again (docs/design.md §3.11).
    continuing = prepared.continuation !== undefined && !prepared.toolSteps;
    const joiner = prepared.continuation ? createJoiner(prepared.plan.trailingText, prepared.continuation) : undefined;
    const recorder = new PartsRecorder(
      { event: (ev) => heartbeat.event(ev), get textLength() { return batcher.textLength; }, endsWithNewline: () => batcher.endsWithNewline() },
      prepared.carriedParts,
      { stepBase: prepared.plan.stepBase, textOpen: prepared.plan.textOpen, reasoning: prepared.reasoning },
    );
    const toolContext: ToolRunContext = {
      recorder,
      requestUuid,
      userId: request.userId,
      ...(prepared.timeZone ? { timeZone: prepared.timeZone } : {}),
      signal: controller.signal,
      budget: new ToolBudget(Math.max(0, e.CONTEXT_BUDGET_CHARS - prepared.promptChars), e.TOOL_OUTPUT_MAX_CHARS),
      toolTimeoutMs: e.TOOL_TIMEOUT_MS,
      approvalTimeoutMs: e.TOOL_APPROVAL_TIMEOUT_MS,
      flush: () => batcher.flush(),
      attempt,
      pause: () => deadlines.pause(),
      resume: () => deadlines.resume(),
      logger,
    };
    // Calls an interrupted attempt left open are settled first: one that waited for approval
    // waits on (and runs once allowed); one that was running is not run again (§3.11).
    const stepMessages = await settleCarriedCalls(prepared, recorder, toolContext, batcher.text);
    const tools = prepared.tools.length ? toolSet(prepared.tools, toolContext) : undefined;
    deadlines.asking();
    const result = streamText({
      model: prepared.model,
      system: prepared.prompt.system,
      messages: [...prepared.messages, ...stepMessages, ...prepared.continuationMessages],
      temperature: prepared.chat.params.temperature,
      ...(prepared.providerOptions ? { providerOptions: prepared.providerOptions } : {}),
      ...(tools ? { tools, stopWhen: stepCountIs(e.TOOL_MAX_STEPS) } : {}),
      abortSignal: controller.signal,
      maxRetries: 2,
      // Errors arrive as stream parts and are handled below; the SDK's default logs them again.
      onError: () => {},
      // Spans only when OpenTelemetry is set up (instrumentation.ts); text only with LOG_PROMPTS.
      telemetry: {
        isEnabled: Boolean(e.OTEL_EXPORTER_OTLP_ENDPOINT),
        functionId: "pollchat.answer",
        recordInputs: logPrompts(),
        recordOutputs: logPrompts(),
      },
    });
    const sourceOf = new Map(prepared.tools.map((t) => [t.name, t.source]));
    for await (const part of result.fullStream) {
      switch (part.type) {
        case "text-delta": {
          deadlines.textArrived();
          if (!part.text) break;
          recorder.endOpenReasoning();
          const text = recorder.text(joiner ? joiner.push(part.text) : part.text);
          added += part.text.length;
          if (text && !heartbeat.push(text)) throw new GenerationStop("fenced", "This generation was cancelled or taken over.");
          break;
        }
        case "reasoning-delta":
          deadlines.textArrived();
          recorder.reasoningDelta(part.id, part.text);
          break;
        case "reasoning-end":
          recorder.reasoningEnded(part.id);
          break;
        case "start-step":
          recorder.stepStarted();
          break;
        case "tool-input-start":
          deadlines.textArrived();
          recorder.toolStarted(part.id, part.toolName, sourceOf.get(part.toolName) ?? "model");
          break;
        case "tool-call":
          recorder.toolStarted(part.toolCallId, part.toolName, sourceOf.get(part.toolName) ?? "model");
          if (recorder.tool(part.toolCallId)?.status === "input") recorder.toolChanged(part.toolCallId, { input: part.input });
          break;
        case "tool-error": {
          // A call the model made wrongly (an unknown tool, input that does not fit): shown, and
          // the model is told; one that our wrapper ran has already been recorded.
          const call = recorder.tool(part.toolCallId);
          if (call && (call.status === "input" || call.status === "running")) {
            recorder.toolChanged(part.toolCallId, { status: "error", error: errorText(part.error), endedAt: new Date().toISOString() });
          }
          break;
        }
        case "source":
          if (part.sourceType === "url") recorder.source(part.url, part.title, "model");
          break;
        case "error":
          throw part.error;
        case "abort":
          throw stop ?? new GenerationStop("cancelled", "The answer was stopped.");
        case "finish":
          usage = part.totalUsage;
          break;
        default:
          break;
      }
    }
    recorder.endOpenReasoning();
    if (stop) throw stop;
    const rest = joiner?.end();
    if (rest && !heartbeat.push(rest)) throw new GenerationStop("fenced", "This generation was cancelled or taken over.");
    // The model is done: its deadlines no longer apply to the (possibly retried) last write.
    deadlines.modelDone();
    await heartbeat.stop();
    await sent;
    const done = await retryWhileDatabaseDown(async () => (await batcher.flush(true)) && finish("completed"), {
      forMs: FINAL_WRITE_RETRY_MS,
      giveUp: () => stop !== undefined,
      onRetry: (err, tries) => tries === 1 && logger.warn({ err }, "finishing the answer failed; retrying until the database answers"),
    });
    outcome = done ? "completed" : "stopped";
    logger.info(
      {
        ms: Date.now() - startedAt,
        characters: codePointLength(batcher.text),
        inputTokens: usage?.inputTokens,
        outputTokens: usage?.outputTokens,
        ...(logPrompts() ? { answer: batcher.text } : {}),
      },
      done ? "generation completed" : "generation stopped: taken over before it could finish",
    );
    count();
    if (done && prepared.chat.title === "") {
      // The answer is stored: a title that cannot be saved (database down) must not undo that.
      await generateChatTitle({ chatUuid: prepared.chat.uuid, modelId: request.model, history: prepared.history, answer: batcher.text }).catch((err: unknown) =>
        logger.warn({ err }, "could not save the chat's title"),
      );
    }
  } catch (err) {
    await sent;
    const ending = endingOf({ err, stop, model: request.model, databaseDown: isDatabaseDown(err) });
    const ms = Date.now() - startedAt;
    switch (ending.kind) {
      case "cancelled":
      case "fenced":
        outcome = ending.kind === "cancelled" ? "cancelled" : "stopped";
        logger.info({ ms, reason: ending.kind }, ending.kind === "cancelled" ? "generation cancelled" : "generation stopped: cancelled or taken over elsewhere");
        return;
      case "handed_over":
        // Keep what was generated for the record, and let another server resume now.
        outcome = "handed_over";
        await heartbeat.stop();
        await batcher.flush(true).catch(() => false);
        await releaseLease({ requestUuid, attempt, handover: true }).then(
          () => logger.info({ ms, characters: codePointLength(batcher.text), why: ending.why }, "generation handed over"),
          (e: unknown) => logger.error({ err: e }, "could not hand over the generation"),
        );
        return;
      case "database_down":
        // Its lease runs out (or is released now if the database answers again) and the next
        // poll resumes it with attempt + 1.
        outcome = "stopped";
        logger.error({ err, ms }, "generation interrupted: the database is unreachable; the next poll resumes it");
        await heartbeat.stop();
        await releaseLease({ requestUuid, attempt, handover: false }).catch(() => {});
        return;
      case "failed":
        if (continuing && added === 0 && !stop && requestRejected(err)) {
          // The model refused to continue (a provider that rejects a final assistant message):
          // start over rather than fail, and say so on the request. A failure that would have
          // failed the first request too (the provider down, rate limits) fails as before.
          await heartbeat.stop();
          if (await restartOutput({ requestUuid, attempt }).catch(() => false)) {
            outcome = "stopped";
            logger.warn({ err, ms }, "the model refused to continue the answer; starting it over");
            return "restart";
          }
        }
        outcome = "failed";
        if (ending.reason) logger.warn({ ms, reason: ending.reason, error: ending.message }, "generation failed");
        else logger.warn({ ms, err, error: ending.message }, "generation failed: the model call failed");
        await heartbeat.stop();
        await batcher.flush(true).catch(() => false);
        await retryWhileDatabaseDown(() => finish("failed", ending.message), { forMs: FINAL_WRITE_RETRY_MS, giveUp: () => stop?.reason === "shutdown" }).catch(
          (e: unknown) => logger.error({ err: e }, "could not record the failure; the next poll retries the answer"),
        );
        return;
    }
  } finally {
    void heartbeat.stop();
    deadlines.clear();
    unregister();
    count();
  }
}

/**
 * Everything the model call needs, with as few round trips in sequence as there can be
 * between POST /send and the model being asked (the claim, then these together, then the files
 * of the messages it found: their rows, then their bytes all at once); what was sent and the
 * answer's notes are recorded meanwhile (`sent`: every write that ends the attempt waits for
 * it first, so the provider's usage, written at the end, is never overwritten by this estimate).
 */
async function prepareAttempt(request: ClaimedRequest, logger: Logger, opts: { restarted?: boolean }) {
  const e = env();
  const [chat, { messages: history, memberCount }, carried, events, offered] = await Promise.all([
    findChatByUuid(request.chatUuid),
    historyUpTo({ chatUuid: request.chatUuid, promptMessageUuid: request.promptMessageUuid }),
    request.carriedChars > 0 ? readAttemptText({ requestUuid: request.uuid, attempt: request.attempt }) : "",
    request.attempt > 1 ? readAttemptEvents({ requestUuid: request.uuid, attempt: request.attempt }) : [],
    toolsOffered(request.model) ? loadTools() : { tools: [] as AppTool[], problems: [] as string[] },
  ]);
  if (!chat) throw new GenerationStop("fenced", "The chat was deleted.");
  const model = languageModel(request.model);
  if (!model) {
    throw new GenerationStop("model_not_configured", `The model ${request.model} is not configured on this server any more. Pick another model and retry.`);
  }
  for (const problem of offered.problems) logger.warn({ problem }, "a tool server is unavailable; answering without its tools");
  // Shared now, or written by several people before: the model is told who said what.
  const authors = memberCount > 1 || new Set(history.flatMap((m) => (m.role === "user" && m.authorId ? [m.authorId] : []))).size > 1;
  // The files of its messages, as this model reads them (docs/design.md §3.13).
  const files = await promptFiles(history, findModel(request.model)?.input ?? { images: false, pdf: false }, {
    attachmentsOf,
    readBytes: readAttachmentBytes,
    pdfText: extractPdfText,
    warn: (err, file) => logger.warn({ err, sha256: file.sha256, mediaType: file.mediaType }, "an attached file could not be read for the model"),
  }, e.CONTEXT_BUDGET_CHARS, e.PROMPT_FILES_MAX_BYTES);
  const prompt = buildPrompt(history, { system: chat.params.systemPrompt, budgetChars: e.CONTEXT_BUDGET_CHARS, authors, files });
  // An interrupted answer goes on from its parts and its text (docs/design.md §3.11 and §5.3):
  // the steps with tool calls as they happened, the text after them continued as text.
  const carriedParts: Part[] = applyPartEvents([], events.map((ev) => ev.event));
  const plan = resumePlan(carriedParts, carried);
  const provider = findModel(request.model)?.provider ?? "demo";
  // After tool steps the text goes on as any text does; a refusal does not start over there
  // (the calls would run again): see `continuing` in runAttempt.
  const toolSteps = carriedParts.some((p) => p.type === "tool");
  const continuation = plan.trailingText ? continuationMode(provider, { compatibleContinues: e.OPENAI_COMPATIBLE_CONTINUE }) : undefined;
  const continued = continuation ? continuationMessages(plan.trailingText, continuation) : [];
  const reasoning = reasoningOn(request.model);
  // vLLM, SGLang and llama.cpp continue a final assistant message only when asked to.
  const prefill = continuation === "prefill" && provider === "compatible" ? { compatible: { continue_final_message: true, add_generation_prompt: false } } : undefined;
  // A continuing attempt does not ask to think: Anthropic refuses extended thinking with a
  // prefill, or with tool steps given back without their signed thinking (which is not kept).
  const think = reasoning && !continuation && !toolSteps ? reasoningOptions(provider, e.REASONING_BUDGET_TOKENS) : undefined;
  const providerOptions = prefill || think ? { ...think, ...prefill } : undefined;
  if (continuation || events.length) logger.info({ carried: request.carriedChars, parts: carriedParts.length, mode: continuation }, "continuing the answer from its text so far");
  const messages: ModelMessage[] = prompt.messages;
  if (logPrompts()) logger.info({ system: prompt.system, messages: loggable([...messages, ...continued]), trimmed: prompt.trimmed }, "prompt");
  const promptText = [prompt.system ?? "", ...messages.map(messageText)].join("\n");
  // What people are told of the files the model did not get whole; a later attempt rewrites it.
  const noted =
    prompt.notes.length || request.attempt > 1
      ? recordAnswerNotes({ requestUuid: request.uuid, attempt: request.attempt, notes: prompt.notes }).catch((err: unknown) =>
          logger.warn({ err }, "could not record the answer's notes"),
        )
      : undefined;
  const recorded = recordRequestSent({
    requestUuid: request.uuid,
    attempt: request.attempt,
    inputTokensEstimate: estimateTokens(promptText),
    ...(continuation ? { resumedBy: continuation } : opts.restarted ? { resumedBy: "restart" as const } : {}),
    request: {
      model: request.model,
      system: prompt.system ?? null,
      messageUuids: prompt.messageUuids,
      trimmed: prompt.trimmed,
      temperature: chat.params.temperature ?? null,
      tools: offered.tools.map((t) => t.name),
      ...(reasoning ? { reasoning: true } : {}),
      ...(continuation ? { continued: { mode: continuation, carriedChars: request.carriedChars } } : {}),
      ...(files.size ? { files: [...files.values()].flat().map((f) => ({ name: f.name, givenAs: f.kind })) } : {}),
    },
  }).catch((err: unknown) => logger.warn({ err }, "could not record the request sent to the model"));
  const sent = noted ? Promise.all([recorded, noted]).then(() => {}) : recorded;
  return {
    chat,
    history,
    model,
    prompt,
    messages,
    continuationMessages: continued,
    providerOptions,
    carried,
    carriedSeq: events.at(-1)?.seq ?? 0,
    carriedCursor: lastCursor(events),
    carriedParts,
    toolSteps,
    plan,
    continuation,
    reasoning,
    tools: offered.tools,
    timeZone: request.context?.timeZone,
    promptChars: promptText.length,
    sent,
  };
}

type Prepared = Awaited<ReturnType<typeof prepareAttempt>>;

/**
 * The tool calls an interrupted attempt left open, settled before the model is asked again:
 * a call that waited for approval waits on and runs once allowed; one that was being written or
 * run when the server stopped is not run again (it may have had its effect): it ends as an
 * error that says so, and the model decides what to do. Returns the completed steps as messages.
 */
async function settleCarriedCalls(prepared: Prepared, recorder: PartsRecorder, ctx: ToolRunContext, text: string): Promise<ModelMessage[]> {
  if (!prepared.carriedParts.length) return [];
  recorder.endCarriedReasoning();
  const byName = new Map(prepared.tools.map((t) => [t.name, t]));
  for (const call of openCalls(recorder.parts)) {
    const t = byName.get(call.name);
    if (call.status === "awaiting-approval" && t) {
      await runCall(t, call.callId, call.input ?? {}, ctx).catch(() => {});
    } else {
      recorder.toolChanged(call.callId, {
        status: "error",
        error: t ? "The server stopped while this call was under way; it was not run again." : "This tool is not available any more.",
        endedAt: new Date().toISOString(),
      });
    }
  }
  return resumePlan(recorder.parts, text).stepMessages;
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.trim().slice(0, 1_000) || "The call failed.";
}
