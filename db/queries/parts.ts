/**
 * An answer's parts in the database (docs/design.md §3.11): the part events of a running
 * generation (appended with its text by appendChunk, carried by claimRequest), folded into the
 * message when it ends; members' answers to tool calls that wait for approval; and the record of
 * which tools ran, for the admin.
 */
import "server-only";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import { getDb } from "../client.ts";
import { chatMembers, chatMessages, llmOutputParts, llmRequests, toolApprovals, toolRuns, users, type MemberRole } from "../schema.ts";
import { applyPartEvents, cursorOf, settleParts, type Part, type PartEvent, type PartsCursor } from "../../lib/parts.ts";
import type { Tx } from "./access.ts";
import { displayName } from "./fragments.ts";
import { rawRows } from "./raw.ts";

export interface NumberedEvent {
  seq: number;
  event: PartEvent;
}

/** The part events an attempt holds, in order (what a continuing attempt carries on from). */
export async function readAttemptEvents(input: { requestUuid: string; attempt: number }): Promise<NumberedEvent[]> {
  const db = await getDb();
  return db
    .select({ seq: llmOutputParts.seq, event: llmOutputParts.event })
    .from(llmOutputParts)
    .where(and(eq(llmOutputParts.requestUuid, input.requestUuid), eq(llmOutputParts.attempt, input.attempt)))
    .orderBy(asc(llmOutputParts.seq));
}

/** The cursor of a log's last event ("0" for none). */
export function lastCursor(events: readonly NumberedEvent[]): PartsCursor {
  const last = events.at(-1);
  return last ? cursorOf(last.seq, last.event.id) : cursorOf(0, undefined);
}

/**
 * An attempt's parts as they stay once the answer ended, in the caller's transaction: folded,
 * what was still open settled (lib/parts.ts). When settling changed something the cursor moves
 * on, so a client that had the whole log gets the settled list once.
 */
export async function endedParts(tx: Tx, input: { requestUuid: string; attempt: number }): Promise<{ parts: Part[] | null; cursor: PartsCursor | null }> {
  const events = await tx
    .select({ seq: llmOutputParts.seq, event: llmOutputParts.event })
    .from(llmOutputParts)
    .where(and(eq(llmOutputParts.requestUuid, input.requestUuid), eq(llmOutputParts.attempt, input.attempt)))
    .orderBy(asc(llmOutputParts.seq));
  if (!events.length) return { parts: null, cursor: null };
  const folded = applyPartEvents([], events.map((e) => e.event));
  const parts = settleParts(folded, new Date().toISOString());
  const changed = parts.some((p, i) => p !== folded[i]);
  const last = events.at(-1)!;
  return { parts, cursor: changed ? cursorOf(last.seq + 1, randomBytes(6).toString("base64url")) : cursorOf(last.seq, last.event.id) };
}

// ------------------------------------------------------------------ approvals

/**
 * A member's answer to a tool call that waits for one. The first answer counts: false when the
 * call was already decided. The caller checked that the call waits (lib/chat/tools.ts).
 */
export async function decideToolCall(input: { requestUuid: string; callId: string; approve: boolean; userId: string | null; attempt?: number }): Promise<boolean> {
  if (input.attempt !== undefined) {
    // A runner's refusal (nobody answered in time): only while the attempt is still its own.
    const rows = await rawRows<{ call_id: string }>(
      `insert into tool_approval (request_uuid, call_id, approve, user_id)
       select $1::uuid, $2::text, $3::boolean, null
       where exists (select 1 from llm_request where uuid = $1::uuid and attempt = $4::int and status = 'running' and not cancel_requested)
       on conflict do nothing
       returning call_id`,
      [input.requestUuid, input.callId, input.approve, input.attempt],
    );
    return rows.length > 0;
  }
  const db = await getDb();
  const rows = await db
    .insert(toolApprovals)
    .values({ requestUuid: input.requestUuid, callId: input.callId, approve: input.approve, userId: input.userId })
    .onConflictDoNothing()
    .returning({ callId: toolApprovals.callId });
  return rows.length > 0;
}

export interface ToolDecision {
  approve: boolean;
  by: { id: string; name: string } | null;
}

/** The answer given to a tool call, if any. */
export async function readToolDecision(input: { requestUuid: string; callId: string }): Promise<ToolDecision | undefined> {
  const db = await getDb();
  const [row] = await db
    .select({ approve: toolApprovals.approve, userId: users.id, name: displayName(users) })
    .from(toolApprovals)
    .leftJoin(users, eq(users.id, toolApprovals.userId))
    .where(and(eq(toolApprovals.requestUuid, input.requestUuid), eq(toolApprovals.callId, input.callId)))
    .limit(1);
  if (!row) return undefined;
  return { approve: row.approve, by: row.userId ? { id: row.userId, name: (row.name) ?? "Someone" } : null };
}

/**
 * An answer as a member sees it for a tool approval: their role in its chat and, while it is
 * being generated, its request. Undefined: not the member's message (or no such message).
 */
export async function findAnswerForMember(input: { messageUuid: string; userId: string }): Promise<
  { role: MemberRole; active: { requestUuid: string; attempt: number } | null } | undefined
> {
  const db = await getDb();
  const [row] = await db
    .select({ role: chatMembers.role, requestUuid: llmRequests.uuid, attempt: llmRequests.attempt })
    .from(chatMessages)
    .innerJoin(chatMembers, and(eq(chatMembers.chatUuid, chatMessages.chatUuid), eq(chatMembers.userId, input.userId)))
    .innerJoin(users, and(eq(users.id, chatMembers.userId), sql`${users.disabledAt} is null`))
    .leftJoin(llmRequests, and(eq(llmRequests.uuid, chatMessages.llmRequestUuid), sql`${llmRequests.status} in ('queued', 'running')`))
    .where(and(eq(chatMessages.uuid, input.messageUuid), eq(chatMessages.role, "assistant")))
    .limit(1);
  if (!row) return undefined;
  return { role: row.role, active: row.requestUuid !== null && row.attempt !== null ? { requestUuid: row.requestUuid, attempt: row.attempt } : null };
}

// ------------------------------------------------------------------ which tools ran

export async function recordToolRun(input: { id: string; requestUuid: string; userId: string; tool: string; source: string; status: string; ms: number }): Promise<void> {
  const db = await getDb();
  await db.insert(toolRuns).values(input).onConflictDoNothing();
}

export interface ToolRunRow {
  id: string;
  tool: string;
  source: string;
  status: string;
  ms: number;
  createdAt: Date;
  user: { id: string; email: string | null } | null;
}

/** The latest tool runs, newest first (no inputs, no outputs: those are message text). */
export async function listToolRuns(input: { limit: number }): Promise<ToolRunRow[]> {
  const db = await getDb();
  const rows = await db
    .select({
      id: toolRuns.id,
      tool: toolRuns.tool,
      source: toolRuns.source,
      status: toolRuns.status,
      ms: toolRuns.ms,
      createdAt: toolRuns.createdAt,
      userId: users.id,
      email: users.email,
    })
    .from(toolRuns)
    .leftJoin(users, eq(users.id, toolRuns.userId))
    .orderBy(desc(toolRuns.createdAt), desc(toolRuns.id))
    .limit(input.limit);
  return rows.map(({ userId, email, ...r }) => ({ ...r, user: userId ? { id: userId, email } : null }));
}
