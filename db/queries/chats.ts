/** Chats, always scoped to their members (db/queries/access.ts) in the query itself. */
import "server-only";
import { and, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { getDb } from "../client.ts";
import { chatMembers, chatMessages, chats, llmRequests, users, type Chat, type ChatMessage, type ChatParams, type ChatStatus, type MemberRole } from "../schema.ts";
import { alias } from "drizzle-orm/pg-core";
import { activeUser, memberOf, type Tx } from "./access.ts";
import { displayName, presenceOf, PRESENCE_WINDOW_SECONDS, TYPING_WINDOW_SECONDS, type PresentMember } from "./presence.ts";
import { asDate, asDateOrNull, displayNameSql, rawRows, staleSql } from "./raw.ts";
import { preparedFor, staleRequest } from "./util.ts";

/** A chat as one member sees it in the list: the row, the member's role and read state, how many members. */
export interface MemberChat {
  chat: Chat;
  role: MemberRole;
  lastReadAt: Date | null;
  memberCount: number;
}

export interface ActiveRequestInfo {
  uuid: string;
  status: "queued" | "running";
  /** Computed by the database, so app and database clocks need not agree. */
  stale: boolean;
  /** Who asked for the answer being generated. */
  requestedBy: { id: string; name: string } | null;
}

/** What the messages poll reads besides the messages: the chat as this member sees it. */
export interface ChatForMember {
  chat: Chat;
  role: MemberRole;
  active: ActiveRequestInfo | null;
  memberCount: number;
  /** The other members who have the chat open now. */
  present: PresentMember[];
  /** This member's read state: everything up to this time has been seen. */
  lastReadAt: Date | null;
}

const requester = alias(users, "requester");

/** Columns both messages statements select, and their reading. */
function chatForMemberColumns(presence: ReturnType<typeof presenceOf>) {
  return {
    chat: chats,
    role: chatMembers.role,
    lastReadAt: chatMembers.lastReadAt,
    activeUuid: llmRequests.uuid,
    activeStatus: llmRequests.status,
    stale: staleRequest(sql.placeholder("queuedGraceSeconds")),
    requesterId: requester.id,
    requesterName: displayName(requester),
    memberCount: presence.memberCount,
    present: presence.present,
  };
}

function chatForMember(row: {
  chat: Chat;
  role: MemberRole;
  lastReadAt: Date | null;
  activeUuid: string | null;
  activeStatus: string | null;
  stale: unknown;
  requesterId: string | null;
  requesterName: string | null;
  memberCount: number | null;
  present: PresentMember[] | null;
}): ChatForMember {
  const active: ActiveRequestInfo | null =
    row.activeUuid && (row.activeStatus === "queued" || row.activeStatus === "running")
      ? {
          uuid: row.activeUuid,
          status: row.activeStatus,
          stale: Boolean(row.stale),
          requestedBy: row.requesterId ? { id: row.requesterId, name: row.requesterName ?? "Someone" } : null,
        }
      : null;
  return {
    chat: row.chat,
    role: row.role,
    active,
    memberCount: Number(row.memberCount ?? 1),
    present: row.present ?? [],
    lastReadAt: row.lastReadAt ? new Date(row.lastReadAt) : null,
  };
}

/**
 * The chat (for one of its members) and its generation in flight, in one round trip: the
 * messages poll needs both, and "stale" tells it to recover a generation whose runner died.
 */
const findChatWithActiveRequestStatement = preparedFor((db) => {
  const presence = presenceOf(db, sql.placeholder("userId"));
  return db
    .select(chatForMemberColumns(presence))
    .from(chats)
    .innerJoin(chatMembers, memberOf(chats.uuid, sql.placeholder("userId")))
    .innerJoin(users, activeUser())
    .leftJoin(llmRequests, and(eq(llmRequests.chatUuid, chats.uuid), sql`${llmRequests.status} in ('queued', 'running')`))
    .leftJoin(requester, eq(requester.id, llmRequests.userId))
    .leftJoinLateral(presence, sql`true`)
    .where(eq(chats.uuid, sql.placeholder("chatUuid")))
    .limit(1)
    .prepare("find_chat_with_active_request");
});

export async function findChatWithActiveRequest(input: { chatUuid: string; userId: string; queuedGraceMs: number }): Promise<ChatForMember | undefined> {
  const [row] = await findChatWithActiveRequestStatement(await getDb()).execute({
    chatUuid: input.chatUuid,
    userId: input.userId,
    queuedGraceSeconds: input.queuedGraceMs / 1000,
  });
  return row ? chatForMember(row) : undefined;
}

/** A message as the polls read it, with its author's display name. */
export type MessageRow = Pick<ChatMessage, "uuid" | "chatUuid" | "role" | "content" | "status" | "llmRequestUuid" | "error" | "createdAt" | "authorId"> & {
  authorName: string | null;
};

/** The poll's statement, written out (db/queries/raw.ts says why): $1 chat, $2 user, $3 last uuid, $4 queued grace (s). */
const CHAT_WITH_MESSAGES_AFTER = `
select c.uuid, c.user_id, c.title, c.status, c.agent, c.params, c.created_at, c.updated_at, c.last_message_at, c.share_uuid,
  cm.role, cm.last_read_at,
  r.uuid as active_uuid, r.status as active_status, ${staleSql("$4::float8")} as stale,
  rq.id as requester_id, ${displayNameSql("rq")} as requester_name,
  p.member_count, p.present,
  a.uuid as m_uuid, a.role as m_role, a.content as m_content, a.status as m_status, a.llm_request_uuid as m_request,
  a.error as m_error, a.created_at as m_created_at, a.author_id as m_author_id, a.author_name as m_author_name
from chat c
join chat_member cm on cm.chat_uuid = c.uuid and cm.user_id = $2
join "user" u on u.id = cm.user_id and u.disabled_at is null
left join llm_request r on r.chat_uuid = c.uuid and r.status in ('queued', 'running')
left join "user" rq on rq.id = r.user_id
left join lateral (
  select count(*)::int as member_count,
    json_agg(json_build_object('userId', pm.user_id, 'name', ${displayNameSql("pu")},
        'typing', coalesce(pm.typing_at > now() - make_interval(secs => ${TYPING_WINDOW_SECONDS}), false)) order by pm.seen_at)
      filter (where pm.user_id <> $2 and pm.seen_at > now() - make_interval(secs => ${PRESENCE_WINDOW_SECONDS})) as present
  from chat_member pm join "user" pu on pu.id = pm.user_id
  where pm.chat_uuid = c.uuid
) p on true
left join lateral (
  select m.uuid, m.role, case when m.uuid = $3 then '' else m.content end as content, m.status, m.llm_request_uuid, m.error,
    m.created_at, m.author_id, case when au.id is null then null else ${displayNameSql("au")} end as author_name
  from chat_message m left join "user" au on au.id = m.author_id
  where m.chat_uuid = c.uuid
    and (m.created_at, m.uuid) >= (select created_at, uuid from chat_message where uuid = $3 and chat_uuid = $1)
) a on true
where c.uuid = $1
order by a.created_at, a.uuid`;

type Raw = Record<string, unknown>;

function chatOfRow(r: Raw): Chat {
  return {
    uuid: r.uuid as string,
    userId: r.user_id as string,
    title: r.title as string,
    status: r.status as ChatStatus,
    agent: r.agent as string,
    params: (typeof r.params === "string" ? JSON.parse(r.params) : r.params) as ChatParams,
    createdAt: asDate(r.created_at),
    updatedAt: asDate(r.updated_at),
    lastMessageAt: asDate(r.last_message_at),
    shareUuid: (r.share_uuid as string | null) ?? null,
  };
}

/**
 * The messages poll in one round trip: the chat as this member sees it (its generation in
 * flight, presence, read state) and its messages from `lastUuid` on, in one snapshot. No rows:
 * not the user's chat. `messages` undefined: `lastUuid` is not in the chat.
 */
export async function findChatWithMessagesAfter(input: {
  chatUuid: string;
  userId: string;
  lastUuid: string;
  queuedGraceMs: number;
}): Promise<(ChatForMember & { messages: MessageRow[] | undefined }) | undefined> {
  const rows = await rawRows<Raw>(CHAT_WITH_MESSAGES_AFTER, [input.chatUuid, input.userId, input.lastUuid, input.queuedGraceMs / 1000], { read: true });
  const [row] = rows;
  if (!row) return undefined;
  const found = chatForMember({
    chat: chatOfRow(row),
    role: row.role as MemberRole,
    lastReadAt: asDateOrNull(row.last_read_at),
    activeUuid: (row.active_uuid as string | null) ?? null,
    activeStatus: (row.active_status as string | null) ?? null,
    stale: row.stale,
    requesterId: (row.requester_id as string | null) ?? null,
    requesterName: (row.requester_name as string | null) ?? null,
    memberCount: row.member_count as number,
    present: (typeof row.present === "string" ? JSON.parse(row.present) : row.present) as PresentMember[] | null,
  });
  // The anchor row comes first (its text left out: the client has it); none: not in this chat.
  const messages =
    row.m_uuid === input.lastUuid
      ? rows.slice(1).map((m): MessageRow => ({
          uuid: m.m_uuid as string,
          chatUuid: input.chatUuid,
          role: m.m_role as MessageRow["role"],
          content: m.m_content as string,
          status: m.m_status as MessageRow["status"],
          llmRequestUuid: (m.m_request as string | null) ?? null,
          error: (m.m_error as string | null) ?? null,
          createdAt: asDate(m.m_created_at),
          authorId: (m.m_author_id as string | null) ?? null,
          authorName: (m.m_author_name as string | null) ?? null,
        }))
      : undefined;
  return { ...found, messages };
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

/** Deletes a chat with its messages, requests and output (cascade), for its owner. A running generation is fenced off by it. */
export async function deleteChatAsOwner(input: { chatUuid: string; userId: string }): Promise<MemberWrite<true>> {
  return asMember({ ...input, allowed: ["owner"] }, async (tx) => {
    await tx.delete(chats).where(eq(chats.uuid, input.chatUuid));
    return true as const;
  });
}

/** Sets a generated title, unless the user (or another runner) named the chat meanwhile. */
export async function setTitleIfEmpty(input: { chatUuid: string; title: string }): Promise<void> {
  const db = await getDb();
  await db.update(chats).set({ title: input.title }).where(and(eq(chats.uuid, input.chatUuid), eq(chats.title, "")));
}
