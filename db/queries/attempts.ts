/**
 * The runner's SQL: a request claimed atomically with an attempt number as fencing token,
 * output appended in fenced batches that also renew the lease, ended in one transaction
 * (completed, failed, cancelled, or handed over). Every runner write names the attempt it
 * claimed: a runner that lost its claim (lease expired, cancelled, chat deleted) writes
 * nothing. docs/design.md §4 and §5 tell the life of a message and the lease; queue.ts queues requests.
 */
import "server-only";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { getDb } from "../client.ts";
import { chatMembers, chatMessages, chats, llmOutputChunks, llmOutputParts, llmRequests, users, type ChatMessage, type LlmRequest, type ResumeMode } from "../schema.ts";
import { sliceFromCodePoint } from "../../lib/text.ts";
import type { Tx } from "./access.ts";
import { recomputeHidden } from "./branches.ts";
import { claimableSql, displayName } from "./fragments.ts";
import { attemptText } from "./output.ts";
import { endedParts } from "./parts.ts";
import { rawRows } from "./raw.ts";
import { columnsOf, decoderOf, type RawRow } from "./rows.ts";
import { estimateTokens } from "./usage.ts";
import type { PartEvent } from "../../lib/parts.ts";

const decodeRequest = decoderOf(llmRequests);

export type ClaimedRequest = Pick<LlmRequest, "uuid" | "chatUuid" | "userId" | "promptMessageUuid" | "model" | "attempt" | "carriedChars" | "startedAt" | "context"> & {
  responseMessageUuid: string;
};

export interface Claim {
  request: ClaimedRequest;
}

/**
 * Claims a request for this runner: queued, or running with an expired lease (its runner died
 * or handed it over). The attempt number goes up by one and fences off any older runner.
 * Creates the assistant message (pending) on the first claim and completes the user's message.
 * The answer follows its prompt as its selected version: a regenerated prompt's earlier
 * answers were unselected when it was queued (queue.ts), and no branch can be switched while
 * the request is in flight, so the prompt is on the active branch (docs/design.md §3.12).
 * What the attempt before had written is carried into the new one (one chunk from position 0,
 * and its part events as they were), so the answer continues instead of starting over
 * (docs/design.md §5.3).
 */
export async function claimRequest(input: {
  requestUuid: string;
  leaseMs: number;
  maxAttempts: number;
  newMessageUuid: string;
}): Promise<Claim | undefined> {
  // One statement, one round trip (it sits between POST /send and the model being asked):
  // claim with attempt + 1, carry the earlier attempt's text and book its usage, create the
  // pending answer the first time (its uuid goes on the request in the same UPDATE), and mark
  // the prompt message answered. Data-modifying CTEs run in one snapshot (the earlier
  // attempt's chunks are read as they were) and all or none of them take effect.
  const rows = await rawRows<RawRow>(
    `with claimed as (
       update llm_request r set
         status = 'running',
         attempt = r.attempt + 1,
         lease_until = now() + make_interval(secs => $2::double precision),
         started_at = coalesce(r.started_at, now()),
         carried_chars = coalesce(earlier.chars, 0),
         spent_input_tokens = coalesce(r.input_tokens, r.spent_input_tokens),
         spent_output_tokens = r.spent_output_tokens + ceil(greatest(coalesce(earlier.chars, 0) - r.carried_chars, 0) / 4.0)::int,
         resumed_by = null,
         first_token_at = null,
         response_message_uuid = coalesce(r.response_message_uuid, $4::uuid)
       from (select sum(char_length(c.text))::int as chars from llm_output_chunk c
             where c.request_uuid = $1::uuid and c.attempt = (select attempt from llm_request where uuid = $1::uuid)) earlier
       where r.uuid = $1::uuid and r.attempt - r.handovers < $3::int and r.cancel_requested = false
         and ${claimableSql("r")}
       returning ${columnsOf(llmRequests, "r")}
     ), carried as (
       insert into llm_output_chunk (request_uuid, attempt, start_pos, text)
       select c.request_uuid, claimed.attempt, 0, string_agg(c.text, '' order by c.start_pos)
       from claimed join llm_output_chunk c on c.request_uuid = claimed.uuid and c.attempt = claimed.attempt - 1
       group by c.request_uuid, claimed.attempt
     ), carried_parts as (
       insert into llm_output_part (request_uuid, attempt, seq, event)
       select p.request_uuid, claimed.attempt, p.seq, p.event
       from claimed join llm_output_part p on p.request_uuid = claimed.uuid and p.attempt = claimed.attempt - 1
     ), answer as (
       insert into chat_message (uuid, chat_uuid, role, content, status, llm_request_uuid, parent_uuid, selected, hidden)
       select $4::uuid, chat_uuid, 'assistant', '', 'pending', uuid, prompt_message_uuid, true, false from claimed where response_message_uuid = $4::uuid
     ), prompt as (
       update chat_message m set status = 'completed'
       from claimed where m.uuid = claimed.prompt_message_uuid and m.status = 'pending'
     )
     select * from claimed`,
    [input.requestUuid, input.leaseMs / 1000, input.maxAttempts, input.newMessageUuid],
  );
  const row = rows[0];
  if (!row) return undefined;
  const claimed = decodeRequest(row);
  return { request: { ...claimed, responseMessageUuid: claimed.responseMessageUuid ?? input.newMessageUuid } };
}

/**
 * The last resort of a continuation the model refused: this attempt starts over from nothing.
 * The carried text is dropped, `restart_floor` marks how far clients may have read it (§5.4),
 * and the request records that it restarted. False when the attempt is no longer this runner's.
 */
export async function restartOutput(input: { requestUuid: string; attempt: number }): Promise<boolean> {
  const rows = await rawRows<{ uuid: string }>(
    `with owned as (
       update llm_request set restart_floor = greatest(restart_floor, carried_chars), carried_chars = 0, resumed_by = 'restart'
       where uuid = $1::uuid and attempt = $2::int and status = 'running' and not cancel_requested
       returning uuid
     ), dropped as (
       delete from llm_output_chunk c using owned where c.request_uuid = owned.uuid and c.attempt = $2::int
     ), dropped_parts as (
       delete from llm_output_part p using owned where p.request_uuid = owned.uuid and p.attempt = $2::int
     )
     select uuid from owned`,
    [input.requestUuid, input.attempt],
  );
  return rows.length > 0;
}

/**
 * A request whose runner died too often: ends failed with the partial text it had.
 * Returns false when it is not in that state (another process dealt with it).
 */
export async function failExhaustedRequest(input: { requestUuid: string; maxAttempts: number; error: string }): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [request] = await tx
      .select()
      .from(llmRequests)
      .where(
        and(
          eq(llmRequests.uuid, input.requestUuid),
          sql`${llmRequests.attempt} - ${llmRequests.handovers} >= ${input.maxAttempts}`,
          sql.raw(claimableSql('"llm_request"')),
        ),
      )
      .for("update")
      .limit(1);
    if (!request) return false;
    const partial = await attemptText(tx, { requestUuid: request.uuid, attempt: request.attempt });
    await endRequest(tx, request, { status: "failed", text: partial, error: input.error });
    return true;
  });
}

/**
 * Appends a batch of output, if this attempt still owns the request; false means stop (fenced or
 * cancelled). In the same statement it records the first token's time (`first`) and extends the
 * lease (`renewLeaseMs`, when due): a generating answer costs one write per flush, whatever the
 * model's token rate. The ownership check locks the row (for share): without it, a cancel
 * committing between this statement's snapshot and its insert deleted the chunks first and this
 * one was left behind for a finished request. With it, the append waits for the cancel and then
 * sees it.
 */
export async function appendChunk(input: {
  requestUuid: string;
  attempt: number;
  startPos: number;
  text: string;
  /** Part events written with the text (lib/parts.ts). */
  events?: { seq: number; event: PartEvent }[];
  first: boolean;
  renewLeaseMs?: number;
}): Promise<boolean> {
  // Hand-written and prepared (a few texts): one of these per answer every ~105 ms is most of
  // what a generating server sends PostgreSQL.
  const renew = input.renewLeaseMs !== undefined;
  const text = input.text !== "";
  const events = (input.events?.length ?? 0) > 0;
  const params: unknown[] = [input.requestUuid, input.attempt];
  if (text) params.push(input.startPos, input.text);
  if (renew) params.push((input.renewLeaseMs ?? 0) / 1000);
  if (events) params.push(JSON.stringify(input.events));
  const rows = await rawRows<{ ok: number }>(appendChunkSql({ text, renew, first: input.first, events }), params);
  return rows.length > 0;
}

const appendChunkTexts = new Map<string, string>();
function appendChunkSql(o: { text: boolean; renew: boolean; first: boolean; events: boolean }): string {
  const key = `${o.text}${o.renew}${o.first}${o.events}`;
  let sql = appendChunkTexts.get(key);
  if (sql) return sql;
  let n = 2;
  const textParams = o.text ? [`$${++n}::int`, `$${++n}::text`] : [];
  const leaseParam = o.renew ? `$${++n}::double precision` : "";
  const eventsParam = o.events ? `$${++n}::jsonb` : "";
  const chunk = o.text
    ? `, ins as (
      insert into llm_output_chunk (request_uuid, attempt, start_pos, text)
      select $1::uuid, $2::int, ${textParams[0]}, ${textParams[1]} where exists (select 1 from owner)
    )`
    : "";
  const parts = o.events
    ? `, parts as (
      insert into llm_output_part (request_uuid, attempt, seq, event)
      select $1::uuid, $2::int, (e->>'seq')::int, e->'event' from jsonb_array_elements(${eventsParam}) e
      where exists (select 1 from owner)
    )`
    : "";
  const touch =
    o.renew || o.first
      ? `, touch as (
          update llm_request set
            lease_until = ${o.renew ? `now() + make_interval(secs => ${leaseParam})` : "lease_until"},
            first_token_at = ${o.first ? "now()" : "first_token_at"}
          where uuid = $1::uuid and attempt = $2::int and status = 'running' and not cancel_requested
        )`
      : "";
  sql = `with owner as (
      select 1 from llm_request
      where uuid = $1::uuid and attempt = $2::int and status = 'running' and not cancel_requested
      for share
    )${chunk}${parts}${touch}
    select 1 as ok from owner`;
  appendChunkTexts.set(key, sql);
  return sql;
}

/** The request is still this attempt's: running under it, not cancelled. */
function ownedBy(input: { requestUuid: string; attempt: number }) {
  return and(
    eq(llmRequests.uuid, input.requestUuid),
    eq(llmRequests.attempt, input.attempt),
    eq(llmRequests.status, "running"),
    eq(llmRequests.cancelRequested, false),
  );
}

/** Extends the lease; false means this runner no longer owns the request (stop). */
export async function renewLease(input: { requestUuid: string; attempt: number; leaseMs: number }): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(llmRequests)
    .set({ leaseUntil: sql`now() + make_interval(secs => ${input.leaseMs / 1000})` })
    .where(ownedBy(input))
    .returning({ uuid: llmRequests.uuid });
  return rows.length > 0;
}

/** Still ours and not cancelled? A read, for quiet moments when no chunk is being written. */
export async function stillOwned(input: { requestUuid: string; attempt: number }): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .select({ uuid: llmRequests.uuid })
    .from(llmRequests)
    .where(ownedBy(input))
    .limit(1);
  return rows.length > 0;
}

interface EndState {
  status: "completed" | "failed" | "cancelled";
  text: string;
  error?: string | null;
  usage?: { inputTokens?: number; outputTokens?: number; estimated: boolean };
}

type EndingRequest = Pick<
  LlmRequest,
  "uuid" | "chatUuid" | "promptMessageUuid" | "responseMessageUuid" | "carriedChars" | "spentInputTokens" | "spentOutputTokens" | "attempt"
>;

/** The final state of a request and its messages, in the caller's transaction. */
async function endRequest(tx: Tx, request: EndingRequest, end: EndState) {
  // Usage counts every attempt: the earlier ones as booked at each claim, this one as the
  // provider reported it or estimated from the text it added to what it carried (§5.3).
  const added = sliceFromCodePoint(end.text, request.carriedChars);
  const reportedInput = end.usage?.inputTokens;
  await tx
    .update(llmRequests)
    .set({
      status: end.status,
      output: end.text,
      error: end.error ?? null,
      leaseUntil: null,
      finishedAt: sql`now()`,
      ...(end.status === "cancelled" ? { cancelRequested: true } : {}),
      // Usage as the provider reported it; what it did not report (a stopped or failed answer,
      // a provider without usage) is estimated at ~4 characters a token and marked so. The input
      // estimate was recorded when the request was sent (recordRequestSent).
      inputTokens: reportedInput === undefined ? sql`${llmRequests.inputTokens}` : request.spentInputTokens + reportedInput,
      outputTokens: request.spentOutputTokens + (end.usage?.outputTokens ?? estimateTokens(added)),
      usageEstimated:
        end.usage && end.usage.inputTokens !== undefined && end.usage.outputTokens !== undefined && request.spentOutputTokens === 0 ? end.usage.estimated : true,
    })
    .where(eq(llmRequests.uuid, request.uuid));
  if (request.responseMessageUuid) {
    // Its parts move into the message with its text (docs/design.md §3.11).
    const { parts, cursor } = await endedParts(tx, { requestUuid: request.uuid, attempt: request.attempt });
    await tx
      .update(chatMessages)
      .set({ status: end.status, content: end.text, error: end.error ?? null, parts, partsCursor: cursor })
      .where(eq(chatMessages.uuid, request.responseMessageUuid));
  } else {
    // Ended before a runner claimed it (a regeneration stopped while queued): the answer it was
    // to replace is selected again, so the question keeps its answer and the next message does
    // not become a version of it (docs/design.md §3.12).
    const restored = await tx
      .update(chatMessages)
      .set({ selected: true })
      .where(
        and(
          eq(
            chatMessages.uuid,
            sql`(select v.uuid from chat_message v where v.chat_uuid = ${request.chatUuid} and v.parent_uuid = ${request.promptMessageUuid}
              order by v.created_at desc, v.uuid desc limit 1)`,
          ),
          sql`not exists (select 1 from chat_message s where s.chat_uuid = ${request.chatUuid} and s.parent_uuid = ${request.promptMessageUuid} and s.selected)`,
        ),
      )
      .returning({ uuid: chatMessages.uuid });
    if (restored.length) await recomputeHidden(tx, request.chatUuid);
  }
  await tx
    .update(chatMessages)
    .set({ status: "completed" })
    .where(and(eq(chatMessages.uuid, request.promptMessageUuid), eq(chatMessages.status, "pending")));
  await tx.delete(llmOutputChunks).where(eq(llmOutputChunks.requestUuid, request.uuid));
  await tx.delete(llmOutputParts).where(eq(llmOutputParts.requestUuid, request.uuid));
  await tx.update(chats).set({ updatedAt: sql`clock_timestamp()`, lastMessageAt: sql`clock_timestamp()` }).where(eq(chats.uuid, request.chatUuid));
}

/** Ends the runner's attempt (completed or failed) if it still owns it; false when fenced off. */
export async function finishAttempt(input: { requestUuid: string; attempt: number } & EndState): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [request] = await tx
      .select()
      .from(llmRequests)
      .where(and(eq(llmRequests.uuid, input.requestUuid), eq(llmRequests.attempt, input.attempt), eq(llmRequests.status, "running")))
      .for("update")
      .limit(1);
    if (!request) return false;
    // A cancel that landed while we were finishing wins: the user asked to stop.
    const status = request.cancelRequested ? "cancelled" : input.status;
    await endRequest(tx, request, { ...input, status, error: status === "cancelled" ? null : input.error });
    return true;
  });
}

/**
 * Cancels the generation of a request (idempotent): the request and its answer end
 * `cancelled` at once with the text written so far. A runner anywhere notices at its next write.
 */
export async function cancelRequest(input: { requestUuid: string }): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [request] = await tx
      .select()
      .from(llmRequests)
      .where(and(eq(llmRequests.uuid, input.requestUuid), inArray(llmRequests.status, ["queued", "running"])))
      .for("update")
      .limit(1);
    if (!request) return;
    const partial =
      request.status === "running"
        ? await attemptText(tx, { requestUuid: request.uuid, attempt: request.attempt })
        : "";
    await endRequest(tx, request, { status: "cancelled", text: partial });
  });
}

const author = alias(users, "author");

/**
 * The prompt message and the messages above it on its branch (its ancestors, oldest first),
 * for building the model's input, with each author's display name, and how many members the
 * chat has now. Other versions are not the conversation the model answers (§3.12).
 */
export async function historyUpTo(input: { chatUuid: string; promptMessageUuid: string }): Promise<{
  messages: (ChatMessage & { authorName: string | null })[];
  memberCount: number;
}> {
  const db = await getDb();
  // Walked up parent_uuid (the primary key) from the prompt, in the chat.
  const branch = sql`(with recursive up as (
      select m.uuid, m.parent_uuid from ${chatMessages} m where m.uuid = ${input.promptMessageUuid} and m.chat_uuid = ${input.chatUuid}
      union all
      select m.uuid, m.parent_uuid from ${chatMessages} m join up on m.uuid = up.parent_uuid where m.chat_uuid = ${input.chatUuid}
    ) select uuid from up)`;
  const [rows, [count]] = await Promise.all([
    db
      .select({ message: chatMessages, authorName: sql<string | null>`case when ${author.id} is null then null else ${displayName(author)} end` })
      .from(chatMessages)
      .leftJoin(author, eq(author.id, chatMessages.authorId))
      .where(and(eq(chatMessages.chatUuid, input.chatUuid), sql`${chatMessages.uuid} in ${branch}`))
      .orderBy(asc(chatMessages.createdAt), asc(chatMessages.uuid)),
    db.select({ n: sql<number>`count(*)::int` }).from(chatMembers).where(eq(chatMembers.chatUuid, input.chatUuid)),
  ]);
  return { messages: rows.map((r) => ({ ...r.message, authorName: r.authorName })), memberCount: Number(count?.n ?? 1) };
}


export async function findChatByUuid(chatUuid: string) {
  const db = await getDb();
  const [chat] = await db.select().from(chats).where(eq(chats.uuid, chatUuid)).limit(1);
  return chat;
}

/**
 * Records what was sent to the model (for debugging and audits; not the prompt's text), with
 * the input tokens estimated from it: a request stopped before the provider reports usage
 * still counts towards the user's tokens (the report replaces the estimate when it comes).
 */
export async function recordRequestSent(input: {
  requestUuid: string;
  attempt: number;
  request: Record<string, unknown>;
  inputTokensEstimate: number;
  resumedBy?: ResumeMode;
}) {
  const db = await getDb();
  await db
    .update(llmRequests)
    .set({
      request: input.request,
      inputTokens: sql`${llmRequests.spentInputTokens} + ${input.inputTokensEstimate}`,
      usageEstimated: true,
      ...(input.resumedBy ? { resumedBy: input.resumedBy } : {}),
    })
    .where(and(eq(llmRequests.uuid, input.requestUuid), eq(llmRequests.attempt, input.attempt)));
}

/**
 * Lets go of a request: its lease ends now, so the next poll on any server resumes it. A
 * `handover` (shutdown, a run's time budget) is not a failure and does not count towards
 * MAX_ATTEMPTS; a runner that lost the database does count.
 */
export async function releaseLease(input: { requestUuid: string; attempt: number; handover: boolean }): Promise<void> {
  const db = await getDb();
  await db
    .update(llmRequests)
    .set({
      leaseUntil: sql`now() - interval '1 millisecond'`,
      ...(input.handover ? { handovers: sql`${llmRequests.handovers} + 1` } : {}),
    })
    .where(and(eq(llmRequests.uuid, input.requestUuid), eq(llmRequests.attempt, input.attempt), eq(llmRequests.status, "running")));
}
