/** Messages and the output of generations in flight. */
import "server-only";
import { and, asc, eq, gte, sql, type Placeholder } from "drizzle-orm";
import { getDb, type Db } from "../client.ts";
import { chatMembers, chatMessages, llmOutputChunks, llmRequests, users, type ChatMessage, type LlmStatus, type MemberRole } from "../schema.ts";
import { alias } from "drizzle-orm/pg-core";
import { activeUser, memberOf } from "./access.ts";
import { displayName } from "./presence.ts";
import { preparedFor, staleRequest } from "./util.ts";
import { asDate, rawRows, staleSql } from "./raw.ts";

const author = alias(users, "author");

/** All messages of a chat with their authors' names, oldest first (the poll after a last uuid: findChatWithMessagesAfter). */
export async function chatMessagesOf(input: { chatUuid: string }): Promise<(ChatMessage & { authorName: string | null })[]> {
  const db = await getDb();
  const rows = await db
    .select({ message: chatMessages, authorName: sql<string | null>`case when ${author.id} is null then null else ${displayName(author)} end` })
    .from(chatMessages)
    .leftJoin(author, eq(author.id, chatMessages.authorId))
    .where(eq(chatMessages.chatUuid, input.chatUuid))
    .orderBy(asc(chatMessages.createdAt), asc(chatMessages.uuid));
  return rows.map((r) => ({ ...r.message, authorName: r.authorName }));
}

export interface MessageWithRequest {
  message: ChatMessage;
  /** The reader's role in the message's chat. */
  role: MemberRole;
  request: {
    uuid: string;
    status: LlmStatus;
    attempt: number;
    restartFloor: number;
    stale: boolean;
  } | null;
}

/** The state of a message's generation (left-joined llm_request), for the lookups by message. */
export function requestStateColumns() {
  return {
    reqUuid: llmRequests.uuid,
    reqStatus: llmRequests.status,
    attempt: llmRequests.attempt,
    restartFloor: llmRequests.restartFloor,
    stale: staleRequest(sql.placeholder("queuedGraceSeconds")),
  };
}

/** The columns of a message with the state of its generation, for the two lookups below. */
function messageWithRequestColumns() {
  return { message: chatMessages, role: chatMembers.role, ...requestStateColumns() };
}

export function messageWithRequest(row: {
  message: ChatMessage;
  role: MemberRole;
  reqUuid: string | null;
  reqStatus: LlmStatus | null;
  attempt: number | null;
  restartFloor: number | null;
  stale: unknown;
}): MessageWithRequest {
  return {
    message: row.message,
    role: row.role,
    request:
      row.reqUuid && row.reqStatus
        ? { uuid: row.reqUuid, status: row.reqStatus, attempt: row.attempt ?? 0, restartFloor: row.restartFloor ?? 0, stale: Boolean(row.stale) }
        : null,
  };
}

/** A message of a chat the user is a member of, with the state of its generation; undefined if not theirs. */
const findMessageForUserStatement = preparedFor((db) =>
  db
    .select(messageWithRequestColumns())
    .from(chatMessages)
    .innerJoin(chatMembers, memberOf(chatMessages.chatUuid, sql.placeholder("userId")))
    .innerJoin(users, activeUser())
    .leftJoin(llmRequests, eq(llmRequests.uuid, chatMessages.llmRequestUuid))
    .where(eq(chatMessages.uuid, sql.placeholder("messageUuid")))
    .limit(1)
    .prepare("find_message_for_user"),
);

export async function findMessageForUser(input: {
  messageUuid: string;
  userId: string;
  queuedGraceMs: number;
}): Promise<MessageWithRequest | undefined> {
  const [row] = await findMessageForUserStatement(await getDb()).execute({
    messageUuid: input.messageUuid,
    userId: input.userId,
    queuedGraceSeconds: input.queuedGraceMs / 1000,
  });
  if (!row) return undefined;
  return messageWithRequest(row);
}

/**
 * For `.leftJoinLateral(slice, sql\`true\`)` after a join of llm_request: the output of the
 * request's current attempt from the chunk holding the `position` placeholder on, in one row
 * (the share link's tokens poll; the members' one is written out below).
 */
export function outputSliceAt(db: Pick<Db, "select">) {
  const c = llmOutputChunks;
  const startChunk = sql`coalesce((select max(${c.startPos}) from ${c}
    where ${c.requestUuid} = ${llmRequests.uuid} and ${c.attempt} = ${llmRequests.attempt} and ${c.startPos} <= ${sql.placeholder("position")}), 0)`;
  return db
    .select({
      from: sql<number | null>`min(${c.startPos})`.as("slice_from"),
      text: sql<string | null>`string_agg(${c.text}, '' order by ${c.startPos})`.as("slice_text"),
    })
    .from(c)
    .where(and(eq(c.requestUuid, llmRequests.uuid), eq(c.attempt, llmRequests.attempt), gte(c.startPos, startChunk)))
    .as("slice");
}

/** The tokens poll's statement, written out (db/queries/raw.ts says why): $1 message, $2 user, $3 position, $4 queued grace (s). */
const MESSAGE_WITH_OUTPUT = `
select m.uuid, m.chat_uuid, m.role, m.content, m.status, m.llm_request_uuid, m.error, m.author_id, m.created_at,
  cm.role as member_role,
  r.uuid as req_uuid, r.status as req_status, r.attempt, r.restart_floor, ${staleSql("$4::float8")} as stale,
  s.slice_from, s.slice_text
from chat_message m
join chat_member cm on cm.chat_uuid = m.chat_uuid and cm.user_id = $2
join "user" u on u.id = cm.user_id and u.disabled_at is null
left join llm_request r on r.uuid = m.llm_request_uuid
left join lateral (
  select min(k.start_pos) as slice_from, string_agg(k.text, '' order by k.start_pos) as slice_text
  from llm_output_chunk k
  where k.request_uuid = r.uuid and k.attempt = r.attempt
    and k.start_pos >= coalesce((select max(k2.start_pos) from llm_output_chunk k2
      where k2.request_uuid = r.uuid and k2.attempt = r.attempt and k2.start_pos <= $3::int), 0)
) s on true
where m.uuid = $1
limit 1`;

/**
 * The tokens poll in one round trip: the message as findMessageForUser reads it, and (when its
 * generation has output) the output of its current attempt from the chunk holding `position`,
 * read in the same snapshot.
 */
export async function findMessageWithOutput(input: {
  messageUuid: string;
  userId: string;
  queuedGraceMs: number;
  position: number;
}): Promise<(MessageWithRequest & { output: OutputSlice }) | undefined> {
  const [row] = await rawRows(MESSAGE_WITH_OUTPUT, [input.messageUuid, input.userId, input.position, input.queuedGraceMs / 1000], { read: true });
  if (!row) return undefined;
  const message: ChatMessage = {
    uuid: row.uuid as string,
    chatUuid: row.chat_uuid as string,
    role: row.role as ChatMessage["role"],
    content: row.content as string,
    status: row.status as ChatMessage["status"],
    llmRequestUuid: (row.llm_request_uuid as string | null) ?? null,
    error: (row.error as string | null) ?? null,
    authorId: (row.author_id as string | null) ?? null,
    createdAt: asDate(row.created_at),
  };
  return {
    ...messageWithRequest({
      message,
      role: row.member_role as MemberRole,
      reqUuid: (row.req_uuid as string | null) ?? null,
      reqStatus: (row.req_status as LlmStatus | null) ?? null,
      attempt: (row.attempt as number | null) ?? null,
      restartFloor: (row.restart_floor as number | null) ?? null,
      stale: row.stale,
    }),
    output: { from: Number(row.slice_from ?? 0), text: (row.slice_text as string | null) ?? "" },
  };
}

export interface OutputSlice {
  /** Start position (code points) of the first returned chunk. */
  from: number;
  text: string;
}

function outputQuery(db: Pick<Db, "select">, input: { requestUuid: string | Placeholder; attempt: number | Placeholder; position: number | Placeholder }) {
  const c = llmOutputChunks;
  const startChunk = sql`coalesce((select max(${c.startPos}) from ${c}
    where ${c.requestUuid} = ${input.requestUuid} and ${c.attempt} = ${input.attempt} and ${c.startPos} <= ${input.position}), 0)`;
  return db
    .select({ startPos: c.startPos, text: c.text })
    .from(c)
    .where(and(eq(c.requestUuid, input.requestUuid), eq(c.attempt, input.attempt), gte(c.startPos, startChunk)))
    .orderBy(asc(c.startPos));
}

const outputFromStatement = preparedFor((db) =>
  outputQuery(db, { requestUuid: sql.placeholder("requestUuid"), attempt: sql.placeholder("attempt"), position: sql.placeholder("position") }).prepare(
    "output_from",
  ),
);

/**
 * The output of an attempt from the chunk that holds `position` on (all of it for position 0).
 * Keyed by the request, so it reads one index range. Inside a transaction pass `tx`; the
 * polls use the prepared statement.
 */
export async function outputFrom(
  input: { requestUuid: string; attempt: number; position: number },
  tx?: Pick<Db, "select">,
): Promise<OutputSlice> {
  const rows = tx ? await outputQuery(tx, input) : await outputFromStatement(await getDb()).execute(input);
  return { from: rows[0]?.startPos ?? 0, text: rows.map((r) => r.text).join("") };
}

/** The content of pending assistant messages (from their chunks), for the messages list. */
export async function pendingContents(requests: { requestUuid: string }[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (requests.length === 0) return out;
  const db = await getDb();
  for (const { requestUuid } of requests) {
    const [req] = await db
      .select({ attempt: llmRequests.attempt })
      .from(llmRequests)
      .where(eq(llmRequests.uuid, requestUuid))
      .limit(1);
    if (!req) continue;
    const slice = await outputFrom({ requestUuid, attempt: req.attempt, position: 0 });
    out.set(requestUuid, slice.text);
  }
  return out;
}
