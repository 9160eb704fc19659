/** Messages and the output of generations in flight. */
import { and, asc, eq, gte, sql } from "drizzle-orm";
import { getDb, type Db } from "../client.ts";
import { chatMessages, chats, llmOutputChunks, llmRequests, type ChatMessage, type LlmStatus } from "../schema.ts";
import { staleRequest } from "./util.ts";

/**
 * Messages of a chat after `lastUuid` (all when absent), oldest first. Returns undefined when
 * `lastUuid` is not a message of this chat. One round trip: the anchor row is selected with
 * the rest (with its text left out) and tells that it exists.
 */
export async function messagesAfter(input: { chatUuid: string; lastUuid?: string }): Promise<ChatMessage[] | undefined> {
  const db = await getDb();
  if (!input.lastUuid) {
    return db
      .select()
      .from(chatMessages)
      .where(eq(chatMessages.chatUuid, input.chatUuid))
      .orderBy(asc(chatMessages.createdAt), asc(chatMessages.uuid));
  }
  const anchor = sql`(select ${chatMessages.createdAt}, ${chatMessages.uuid} from ${chatMessages}
    where ${chatMessages.uuid} = ${input.lastUuid} and ${chatMessages.chatUuid} = ${input.chatUuid})`;
  const rows = await db
    .select({
      uuid: chatMessages.uuid,
      chatUuid: chatMessages.chatUuid,
      role: chatMessages.role,
      content: sql<string>`case when ${chatMessages.uuid} = ${input.lastUuid} then '' else ${chatMessages.content} end`,
      status: chatMessages.status,
      llmRequestUuid: chatMessages.llmRequestUuid,
      error: chatMessages.error,
      createdAt: chatMessages.createdAt,
    })
    .from(chatMessages)
    .where(and(eq(chatMessages.chatUuid, input.chatUuid), sql`(${chatMessages.createdAt}, ${chatMessages.uuid}) >= ${anchor}`))
    .orderBy(asc(chatMessages.createdAt), asc(chatMessages.uuid));
  if (rows[0]?.uuid !== input.lastUuid) return undefined;
  return rows.slice(1);
}

export interface MessageWithRequest {
  message: ChatMessage;
  request: {
    uuid: string;
    status: LlmStatus;
    attempt: number;
    restartFloor: number;
    stale: boolean;
  } | null;
}

/** A message of the user's chats with the state of its generation; undefined if not theirs. */
export async function findMessageForUser(input: {
  messageUuid: string;
  userId: string;
  queuedGraceMs: number;
}): Promise<MessageWithRequest | undefined> {
  const db = await getDb();
  const [row] = await db
    .select({
      message: chatMessages,
      reqUuid: llmRequests.uuid,
      reqStatus: llmRequests.status,
      attempt: llmRequests.attempt,
      restartFloor: llmRequests.restartFloor,
      stale: staleRequest(input.queuedGraceMs),
    })
    .from(chatMessages)
    .innerJoin(chats, and(eq(chats.uuid, chatMessages.chatUuid), eq(chats.userId, input.userId)))
    .leftJoin(llmRequests, eq(llmRequests.uuid, chatMessages.llmRequestUuid))
    .where(eq(chatMessages.uuid, input.messageUuid))
    .limit(1);
  if (!row) return undefined;
  return {
    message: row.message,
    request:
      row.reqUuid && row.reqStatus
        ? { uuid: row.reqUuid, status: row.reqStatus, attempt: row.attempt ?? 0, restartFloor: row.restartFloor ?? 0, stale: Boolean(row.stale) }
        : null,
  };
}

export interface OutputSlice {
  /** Start position (code points) of the first returned chunk. */
  from: number;
  text: string;
}

/**
 * The output of an attempt from the chunk that holds `position` on (all of it for position 0).
 * Keyed by the request, so it reads one index range.
 */
export async function outputFrom(
  input: { requestUuid: string; attempt: number; position: number },
  db?: Pick<Db, "select">,
): Promise<OutputSlice> {
  const conn = db ?? (await getDb());
  const c = llmOutputChunks;
  const startChunk = sql`coalesce((select max(${c.startPos}) from ${c}
    where ${c.requestUuid} = ${input.requestUuid} and ${c.attempt} = ${input.attempt} and ${c.startPos} <= ${input.position}), 0)`;
  const rows = await conn
    .select({ startPos: c.startPos, text: c.text })
    .from(c)
    .where(and(eq(c.requestUuid, input.requestUuid), eq(c.attempt, input.attempt), gte(c.startPos, startChunk)))
    .orderBy(asc(c.startPos));
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
    const slice = await outputFrom({ requestUuid, attempt: req.attempt, position: 0 }, db);
    out.set(requestUuid, slice.text);
  }
  return out;
}
