/**
 * Chats: created, listed, renamed, archived, deleted, always scoped to their members
 * (db/queries/access.ts) in the query itself. The polls' reads are in polls.ts.
 */
import "server-only";
import { and, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { getDb } from "../client.ts";
import { chatMembers, chatMessages, chats, users, type Chat, type ChatParams, type ChatStatus, type MemberRole } from "../schema.ts";
import { activeUser, memberOf, type Tx } from "./access.ts";
import { blobsOfChat, sweepBlobs } from "./attachments.ts";

/** A chat as one member sees it in the list: the row, the member's role and read state, how many members. */
export interface MemberChat {
  chat: Chat;
  role: MemberRole;
  lastReadAt: Date | null;
  memberCount: number;
}

/**
 * Inserts a chat with its owner as its first member, or finds the one with that uuid (an
 * idempotent replay). `created` tells which; `chat` is undefined when the uuid belongs to
 * another user's chat.
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
      await tx.insert(chatMembers).values({ chatUuid: inserted.uuid, userId: input.userId, role: "owner", lastReadAt: inserted.lastMessageAt });
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

/**
 * The chats the user is a member of, newest activity first, keyset-paginated by (updated_at,
 * uuid). Two index ranges merged: the chats they own (chat_user_updated_idx, read in order and
 * cut at `limit`), and the chats shared with them (chat_member_user_idx, few).
 */
export async function listChatsForUser(input: {
  userId: string;
  limit: number;
  before?: { updatedAt: Date; uuid: string };
  status?: ChatStatus;
  query?: string;
}): Promise<MemberChat[]> {
  const db = await getDb();
  const conditions = [];
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
  const memberCount = sql<number>`(select count(*)::int from ${chatMembers} as counted where counted.chat_uuid = ${chats.uuid})`;
  const owned = db
    .select({ chat: chats, role: chatMembers.role, lastReadAt: chatMembers.lastReadAt, memberCount })
    .from(chats)
    .innerJoin(users, and(eq(users.id, chats.userId), isNull(users.disabledAt)))
    .innerJoin(chatMembers, memberOf(chats.uuid, chats.userId))
    .where(and(eq(chats.userId, input.userId), ...conditions))
    .orderBy(desc(chats.updatedAt), desc(chats.uuid))
    .limit(input.limit);
  const shared = db
    .select({ chat: chats, role: chatMembers.role, lastReadAt: chatMembers.lastReadAt, memberCount })
    .from(chatMembers)
    .innerJoin(chats, eq(chats.uuid, chatMembers.chatUuid))
    .innerJoin(users, activeUser())
    .where(and(eq(chatMembers.userId, input.userId), inArray(chatMembers.role, ["editor", "viewer"]), ...conditions))
    .orderBy(desc(chats.updatedAt), desc(chats.uuid))
    .limit(input.limit);
  const [mine, theirs] = await Promise.all([owned, shared]);
  return [...mine, ...theirs]
    .map((r) => ({ ...r, memberCount: Number(r.memberCount), lastReadAt: r.lastReadAt ? new Date(r.lastReadAt) : null }))
    .sort((a, b) => b.chat.updatedAt.getTime() - a.chat.updatedAt.getTime() || (a.chat.uuid < b.chat.uuid ? 1 : a.chat.uuid > b.chat.uuid ? -1 : 0))
    .slice(0, input.limit);
}

export type MemberWrite<T> = { kind: "ok"; value: T; role: MemberRole } | { kind: "not_found" } | { kind: "forbidden"; role: MemberRole };

/** Runs `write` in a transaction if the user is an active member with one of `allowed` roles (their membership row locked until commit). */
export async function asMember<T>(
  input: { chatUuid: string; userId: string; allowed: readonly MemberRole[] },
  write: (tx: Tx) => Promise<T>,
): Promise<MemberWrite<T>> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [member] = await tx
      .select({ role: chatMembers.role })
      .from(chatMembers)
      .innerJoin(users, activeUser())
      .where(memberOf(input.chatUuid, input.userId))
      .for("share", { of: chatMembers })
      .limit(1);
    if (!member) return { kind: "not_found" };
    if (!input.allowed.includes(member.role)) return { kind: "forbidden", role: member.role };
    return { kind: "ok", value: await write(tx), role: member.role };
  });
}

export async function updateChatAsMember(input: {
  chatUuid: string;
  userId: string;
  allowed: readonly MemberRole[];
  title?: string;
  status?: ChatStatus;
  model?: string;
}): Promise<MemberWrite<Chat>> {
  return asMember(input, async (tx) => {
    const set: Partial<typeof chats.$inferInsert> = { updatedAt: sql`clock_timestamp()` as unknown as Date };
    if (input.title !== undefined) set.title = input.title;
    if (input.status !== undefined) set.status = input.status;
    if (input.model !== undefined) set.params = sql`${chats.params} || ${JSON.stringify({ model: input.model })}::jsonb` as unknown as ChatParams;
    const [row] = await tx.update(chats).set(set).where(eq(chats.uuid, input.chatUuid)).returning();
    return row!;
  });
}

/**
 * Deletes a chat with its messages, requests, output and attachments (cascade), for its owner,
 * then the blobs no attachment names any more (docs/design.md §3.13). A running generation is
 * fenced off by it. Answers the swept blobs that are S3 objects: the caller removes them once
 * this has committed.
 */
export async function deleteChatAsOwner(input: { chatUuid: string; userId: string }): Promise<MemberWrite<{ s3Objects: string[] }>> {
  return asMember({ ...input, allowed: ["owner"] }, async (tx) => {
    const blobs = await blobsOfChat(tx, input.chatUuid);
    await tx.delete(chats).where(eq(chats.uuid, input.chatUuid));
    const swept = await sweepBlobs(tx, blobs);
    return { s3Objects: swept.filter((b) => b.storage === "s3").map((b) => b.sha256) };
  });
}

/** Sets a generated title, unless the user (or another runner) named the chat meanwhile. */
export async function setTitleIfEmpty(input: { chatUuid: string; title: string }): Promise<void> {
  const db = await getDb();
  await db.update(chats).set({ title: input.title }).where(and(eq(chats.uuid, input.chatUuid), eq(chats.title, "")));
}
