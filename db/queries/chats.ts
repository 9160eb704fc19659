/** Chats, always scoped to their owner in the query itself. */
import { and, asc, desc, eq, lt, or, sql } from "drizzle-orm";
import { getDb } from "../client.ts";
import { chatMessages, chats, llmRequests, type Chat, type ChatMessage, type ChatParams, type ChatStatus } from "../schema.ts";
import { preparedFor, staleRequest } from "./util.ts";

export async function findChatForUser(input: { chatUuid: string; userId: string }): Promise<Chat | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(chats)
    .where(and(eq(chats.uuid, input.chatUuid), eq(chats.userId, input.userId)))
    .limit(1);
  return row;
}

export interface ActiveRequestInfo {
  uuid: string;
  status: "queued" | "running";
  /** Computed by the database, so app and database clocks need not agree. */
  stale: boolean;
}

/**
 * The chat (owner-checked) and its generation in flight, in one round trip: the messages
 * poll needs both, and "stale" tells it to recover a generation whose runner died.
 */
const findChatWithActiveRequestStatement = preparedFor((db) =>
  db
    .select({
      chat: chats,
      activeUuid: llmRequests.uuid,
      activeStatus: llmRequests.status,
      stale: staleRequest(sql.placeholder("queuedGraceSeconds")),
    })
    .from(chats)
    .leftJoin(llmRequests, and(eq(llmRequests.chatUuid, chats.uuid), sql`${llmRequests.status} in ('queued', 'running')`))
    .where(and(eq(chats.uuid, sql.placeholder("chatUuid")), eq(chats.userId, sql.placeholder("userId"))))
    .limit(1)
    .prepare("find_chat_with_active_request"),
);

export async function findChatWithActiveRequest(input: {
  chatUuid: string;
  userId: string;
  queuedGraceMs: number;
}): Promise<{ chat: Chat; active: ActiveRequestInfo | null } | undefined> {
  const [row] = await findChatWithActiveRequestStatement(await getDb()).execute({
    chatUuid: input.chatUuid,
    userId: input.userId,
    queuedGraceSeconds: input.queuedGraceMs / 1000,
  });
  if (!row) return undefined;
  const active =
    row.activeUuid && (row.activeStatus === "queued" || row.activeStatus === "running")
      ? { uuid: row.activeUuid, status: row.activeStatus, stale: Boolean(row.stale) }
      : null;
  return { chat: row.chat, active };
}

/**
 * The messages poll in one round trip: the chat (with its active generation, as
 * findChatWithActiveRequest reads it) and its messages from `lastUuid` on, in one snapshot.
 * No rows: not the user's chat. `messages` undefined: `lastUuid` is not in the chat.
 */
type MessageRow = Pick<ChatMessage, "uuid" | "chatUuid" | "role" | "content" | "status" | "llmRequestUuid" | "error" | "createdAt">;

const chatWithMessagesAfterStatement = preparedFor((db) => {
  const m = chatMessages;
  const lastUuid = sql.placeholder("lastUuid");
  const anchor = sql`(select ${m.createdAt}, ${m.uuid} from ${m} where ${m.uuid} = ${lastUuid} and ${m.chatUuid} = ${sql.placeholder("chatUuid")})`;
  const after = db
    .select({
      uuid: m.uuid,
      chatUuid: m.chatUuid,
      role: m.role,
      content: sql<string>`case when ${m.uuid} = ${lastUuid} then '' else ${m.content} end`.as("after_content"),
      status: m.status,
      llmRequestUuid: m.llmRequestUuid,
      error: m.error,
      createdAt: m.createdAt,
    })
    .from(m)
    .where(and(eq(m.chatUuid, chats.uuid), sql`(${m.createdAt}, ${m.uuid}) >= ${anchor}`))
    .as("after");
  return db
    .select({
      chat: chats,
      activeUuid: llmRequests.uuid,
      activeStatus: llmRequests.status,
      stale: staleRequest(sql.placeholder("queuedGraceSeconds")),
      message: {
        uuid: after.uuid,
        chatUuid: after.chatUuid,
        role: after.role,
        content: after.content,
        status: after.status,
        llmRequestUuid: after.llmRequestUuid,
        error: after.error,
        createdAt: after.createdAt,
      },
    })
    .from(chats)
    .leftJoin(llmRequests, and(eq(llmRequests.chatUuid, chats.uuid), sql`${llmRequests.status} in ('queued', 'running')`))
    .leftJoinLateral(after, sql`true`)
    .where(and(eq(chats.uuid, sql.placeholder("chatUuid")), eq(chats.userId, sql.placeholder("userId"))))
    .orderBy(asc(after.createdAt), asc(after.uuid))
    .prepare("chat_with_messages_after");
});

export async function findChatWithMessagesAfter(input: {
  chatUuid: string;
  userId: string;
  lastUuid: string;
  queuedGraceMs: number;
}): Promise<{ chat: Chat; active: ActiveRequestInfo | null; messages: MessageRow[] | undefined } | undefined> {
  const rows = await chatWithMessagesAfterStatement(await getDb()).execute({
    chatUuid: input.chatUuid,
    userId: input.userId,
    lastUuid: input.lastUuid,
    queuedGraceSeconds: input.queuedGraceMs / 1000,
  });
  const [row] = rows;
  if (!row) return undefined;
  const active: ActiveRequestInfo | null =
    row.activeUuid && (row.activeStatus === "queued" || row.activeStatus === "running")
      ? { uuid: row.activeUuid, status: row.activeStatus, stale: Boolean(row.stale) }
      : null;
  // The anchor row comes first (its text left out: the client has it); none: not in this chat.
  const messages = row.message?.uuid === input.lastUuid ? rows.slice(1).flatMap((r) => (r.message ? [r.message] : [])) : undefined;
  return { chat: row.chat, active, messages };
}

/**
 * Inserts a chat, or finds the one with that uuid (an idempotent replay). `created` tells which;
 * `chat` is undefined when the uuid belongs to another user's chat.
 */
export async function insertChatIdempotent(input: {
  uuid: string;
  userId: string;
  title: string;
  agent: string;
  params: ChatParams;
  greeting?: { uuid: string; content: string };
}): Promise<{ chat: Chat | undefined; created: boolean }> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(chats)
      .values({ uuid: input.uuid, userId: input.userId, title: input.title, agent: input.agent, params: input.params })
      .onConflictDoNothing({ target: chats.uuid })
      .returning();
    if (inserted) {
      if (input.greeting) {
        await tx.insert(chatMessages).values({
          uuid: input.greeting.uuid,
          chatUuid: inserted.uuid,
          role: "assistant",
          content: input.greeting.content,
          status: "completed",
        });
      }
      return { chat: inserted, created: true };
    }
    const [existing] = await tx
      .select()
      .from(chats)
      .where(and(eq(chats.uuid, input.uuid), eq(chats.userId, input.userId)))
      .limit(1);
    return { chat: existing, created: false };
  });
}

/** The user's chats, newest activity first, keyset-paginated by (updated_at, uuid). */
export async function listChatsForUser(input: {
  userId: string;
  limit: number;
  before?: { updatedAt: Date; uuid: string };
  status?: ChatStatus;
  query?: string;
}): Promise<Chat[]> {
  const db = await getDb();
  const conditions = [eq(chats.userId, input.userId)];
  if (input.status) conditions.push(eq(chats.status, input.status));
  if (input.query) conditions.push(sql`${chats.title} ilike ${"%" + input.query.replace(/[\\%_]/g, "\\$&") + "%"}`);
  if (input.before) {
    conditions.push(
      or(
        lt(chats.updatedAt, input.before.updatedAt),
        and(eq(chats.updatedAt, input.before.updatedAt), lt(chats.uuid, input.before.uuid)),
      )!,
    );
  }
  return db
    .select()
    .from(chats)
    .where(and(...conditions))
    .orderBy(desc(chats.updatedAt), desc(chats.uuid))
    .limit(input.limit);
}

export async function updateChatForUser(input: {
  chatUuid: string;
  userId: string;
  title?: string;
  status?: ChatStatus;
  model?: string;
}): Promise<Chat | undefined> {
  const db = await getDb();
  const set: Partial<typeof chats.$inferInsert> = { updatedAt: sql`clock_timestamp()` as unknown as Date };
  if (input.title !== undefined) set.title = input.title;
  if (input.status !== undefined) set.status = input.status;
  if (input.model !== undefined) set.params = sql`${chats.params} || ${JSON.stringify({ model: input.model })}::jsonb` as unknown as ChatParams;
  const [row] = await db
    .update(chats)
    .set(set)
    .where(and(eq(chats.uuid, input.chatUuid), eq(chats.userId, input.userId)))
    .returning();
  return row;
}

/** Deletes a chat with its messages, requests and output (cascade). A running generation is fenced off by it. */
export async function deleteChatForUser(input: { chatUuid: string; userId: string }): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .delete(chats)
    .where(and(eq(chats.uuid, input.chatUuid), eq(chats.userId, input.userId)))
    .returning({ uuid: chats.uuid });
  return rows.length > 0;
}

/** Sets a generated title, unless the user (or another runner) named the chat meanwhile. */
export async function setTitleIfEmpty(input: { chatUuid: string; title: string }): Promise<void> {
  const db = await getDb();
  await db.update(chats).set({ title: input.title }).where(and(eq(chats.uuid, input.chatUuid), eq(chats.title, "")));
}
