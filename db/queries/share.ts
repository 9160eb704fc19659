/**
 * Shared chats: the owner turns a public read-only link on and off, and anyone holding the
 * link reads the chat by its share uuid. The public reads are keyed by `chat.share_uuid`
 * (unique index) and never by a member, so they name no user; a chat whose owner's account is
 * disabled is not public either. Like the members' polls, each public poll is one prepared
 * round trip.
 */
import "server-only";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { getDb } from "../client.ts";
import { chatMessages, chats, llmRequests, users, type Chat } from "../schema.ts";
import { asMember, type ActiveRequestInfo, type MemberWrite, type MessageRow } from "./chats.ts";
import { messageWithRequest, outputSliceAt, requestStateColumns, type MessageWithRequest, type OutputSlice } from "./messages.ts";
import { preparedFor, staleRequest } from "./util.ts";

// ------------------------------------------------------------------ the owner's switch

/** The chat's share uuid (null while private), for its owner. */
export async function shareOfChatAsOwner(input: { chatUuid: string; userId: string }): Promise<MemberWrite<string | null>> {
  return asMember({ ...input, allowed: ["owner"] }, async (tx) => {
    const [row] = await tx.select({ shareUuid: chats.shareUuid }).from(chats).where(eq(chats.uuid, input.chatUuid)).limit(1);
    return row?.shareUuid ?? null;
  });
}

/**
 * Makes the chat public with `shareUuid`, or keeps the link it already has (sharing twice is
 * one link); `created` tells which. For its owner only.
 */
export async function shareChatAsOwner(input: { chatUuid: string; userId: string; shareUuid: string }): Promise<MemberWrite<{ shareUuid: string; created: boolean }>> {
  return asMember({ ...input, allowed: ["owner"] }, async (tx) => {
    const [row] = await tx
      .update(chats)
      .set({ shareUuid: sql`coalesce(${chats.shareUuid}, ${input.shareUuid}::uuid)` })
      .where(eq(chats.uuid, input.chatUuid))
      .returning({ shareUuid: chats.shareUuid });
    const shareUuid = row!.shareUuid!;
    return { shareUuid, created: shareUuid === input.shareUuid };
  });
}

/** Makes the chat private: its link stops at once, and sharing it again makes a new one. */
export async function unshareChatAsOwner(input: { chatUuid: string; userId: string }): Promise<MemberWrite<true>> {
  return asMember({ ...input, allowed: ["owner"] }, async (tx) => {
    await tx.update(chats).set({ shareUuid: null }).where(eq(chats.uuid, input.chatUuid));
    return true as const;
  });
}

// ------------------------------------------------------------------ public reads

/** The chat behind a share uuid is readable while its owner's account is active. */
const ownerActive = () => and(eq(users.id, chats.userId), isNull(users.disabledAt));
const activeRequestOfChat = () => and(eq(llmRequests.chatUuid, chats.uuid), sql`${llmRequests.status} in ('queued', 'running')`);

function activeOf(row: { activeUuid: string | null; activeStatus: string | null; stale: unknown }): ActiveRequestInfo | null {
  return row.activeUuid && (row.activeStatus === "queued" || row.activeStatus === "running")
    ? { uuid: row.activeUuid, status: row.activeStatus, stale: Boolean(row.stale), requestedBy: null }
    : null;
}

const findSharedChatStatement = preparedFor((db) =>
  db
    .select({
      chat: chats,
      activeUuid: llmRequests.uuid,
      activeStatus: llmRequests.status,
      stale: staleRequest(sql.placeholder("queuedGraceSeconds")),
    })
    .from(chats)
    .innerJoin(users, ownerActive())
    .leftJoin(llmRequests, activeRequestOfChat())
    .where(eq(chats.shareUuid, sql.placeholder("shareUuid")))
    .limit(1)
    .prepare("find_shared_chat"),
);

/** The shared chat and its generation in flight; undefined when the uuid is not (or no longer) shared. */
export async function findSharedChat(input: { shareUuid: string; queuedGraceMs: number }): Promise<{ chat: Chat; active: ActiveRequestInfo | null } | undefined> {
  const [row] = await findSharedChatStatement(await getDb()).execute({ shareUuid: input.shareUuid, queuedGraceSeconds: input.queuedGraceMs / 1000 });
  return row ? { chat: row.chat, active: activeOf(row) } : undefined;
}

/** The public messages poll in one round trip, as findChatWithMessagesAfter (chats.ts) for members. */
const sharedChatWithMessagesAfterStatement = preparedFor((db) => {
  const m = chatMessages;
  const lastUuid = sql.placeholder("lastUuid");
  const anchor = sql`(select ${m.createdAt}, ${m.uuid} from ${m} where ${m.uuid} = ${lastUuid} and ${m.chatUuid} = ${chats.uuid})`;
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
    .innerJoin(users, ownerActive())
    .leftJoin(llmRequests, activeRequestOfChat())
    .leftJoinLateral(after, sql`true`)
    .where(eq(chats.shareUuid, sql.placeholder("shareUuid")))
    .orderBy(asc(after.createdAt), asc(after.uuid))
    .prepare("shared_chat_with_messages_after");
});

/** No rows: not shared. `messages` undefined: `lastUuid` is not in the chat. */
export async function findSharedChatWithMessagesAfter(input: {
  shareUuid: string;
  lastUuid: string;
  queuedGraceMs: number;
}): Promise<{ chat: Chat; active: ActiveRequestInfo | null; messages: MessageRow[] | undefined } | undefined> {
  const rows = await sharedChatWithMessagesAfterStatement(await getDb()).execute({
    shareUuid: input.shareUuid,
    lastUuid: input.lastUuid,
    queuedGraceSeconds: input.queuedGraceMs / 1000,
  });
  const [row] = rows;
  if (!row) return undefined;
  // The anchor row comes first (its text left out: the client has it); none: not in this chat.
  // A share link names nobody: no authors.
  const messages =
    row.message?.uuid === input.lastUuid ? rows.slice(1).flatMap((r) => (r.message ? [{ ...r.message, authorId: null, authorName: null }] : [])) : undefined;
  return { chat: row.chat, active: activeOf(row), messages };
}

/** The public tokens poll in one round trip, as findMessageWithOutput (messages.ts) for members. */
const findSharedMessageWithOutputStatement = preparedFor((db) => {
  const slice = outputSliceAt(db);
  return db
    .select({ message: chatMessages, ...requestStateColumns(), sliceFrom: slice.from, sliceText: slice.text })
    .from(chatMessages)
    .innerJoin(chats, and(eq(chats.uuid, chatMessages.chatUuid), eq(chats.shareUuid, sql.placeholder("shareUuid"))))
    .innerJoin(users, ownerActive())
    .leftJoin(llmRequests, eq(llmRequests.uuid, chatMessages.llmRequestUuid))
    .leftJoinLateral(slice, sql`true`)
    .where(eq(chatMessages.uuid, sql.placeholder("messageUuid")))
    .limit(1)
    .prepare("find_shared_message_with_output");
});

export async function findSharedMessageWithOutput(input: {
  shareUuid: string;
  messageUuid: string;
  queuedGraceMs: number;
  position: number;
}): Promise<(MessageWithRequest & { output: OutputSlice }) | undefined> {
  const [row] = await findSharedMessageWithOutputStatement(await getDb()).execute({
    shareUuid: input.shareUuid,
    messageUuid: input.messageUuid,
    queuedGraceSeconds: input.queuedGraceMs / 1000,
    position: input.position,
  });
  if (!row) return undefined;
  // A reader of a shared chat can only read: "viewer" is what the generation logic needs to know.
  return { ...messageWithRequest({ ...row, role: "viewer" }), output: { from: Number(row.sliceFrom ?? 0), text: row.sliceText ?? "" } };
}
