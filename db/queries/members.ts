/**
 * Members of a chat and invites to it. Every change is made by a member whose role allows it,
 * checked in the same transaction (`asMember` in chats.ts locks their membership row), so a
 * removed owner or editor cannot act a moment later.
 */
import "server-only";
import { and, asc, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import { getDb } from "../client.ts";
import { chatInvitations, chatInvites, chatMembers, chatRemovals, chats, users, type ChatInvite, type MemberRole } from "../schema.ts";
import { activeUser, memberOf, type Tx } from "./access.ts";
import { PRESENCE_WINDOW_SECONDS, TYPING_WINDOW_SECONDS } from "./presence.ts";
import { displayName } from "./fragments.ts";

export interface MemberRow {
  userId: string;
  name: string;
  email: string | null;
  role: MemberRole;
  joinedAt: Date;
  present: boolean;
  typing: boolean;
}

/** The members of a chat, owner first, then by when they joined. */
export async function listMembers(tx: Pick<Tx, "select">, chatUuid: string): Promise<MemberRow[]> {
  const rows = await tx
    .select({
      userId: chatMembers.userId,
      name: displayName(users),
      email: users.email,
      role: chatMembers.role,
      joinedAt: chatMembers.createdAt,
      present: sql<boolean>`coalesce(${chatMembers.seenAt} > now() - make_interval(secs => ${PRESENCE_WINDOW_SECONDS}), false)`,
      typing: sql<boolean>`coalesce(${chatMembers.typingAt} > now() - make_interval(secs => ${TYPING_WINDOW_SECONDS}), false)`,
    })
    .from(chatMembers)
    .innerJoin(users, eq(users.id, chatMembers.userId))
    .where(eq(chatMembers.chatUuid, chatUuid))
    .orderBy(sql`${chatMembers.role} = 'owner' desc`, asc(chatMembers.createdAt), asc(chatMembers.userId));
  return rows.map((r) => ({ ...r, present: Boolean(r.present), typing: Boolean(r.typing) }));
}

/** What a chat's answers are steered by: its agent and the system prompt stored with it. */
export async function chatInstructions(tx: Pick<Tx, "select">, chatUuid: string): Promise<{ agent: string; systemPrompt: string | null }> {
  const [row] = await tx.select({ agent: chats.agent, params: chats.params }).from(chats).where(eq(chats.uuid, chatUuid)).limit(1);
  return { agent: row?.agent ?? "", systemPrompt: row?.params.systemPrompt ?? null };
}

/** The open invites of a chat (not revoked, not expired), newest first. */
export async function listOpenInvites(tx: Pick<Tx, "select">, chatUuid: string): Promise<Pick<ChatInvite, "uuid" | "role" | "createdAt" | "expiresAt" | "uses">[]> {
  return tx
    .select({ uuid: chatInvites.uuid, role: chatInvites.role, createdAt: chatInvites.createdAt, expiresAt: chatInvites.expiresAt, uses: chatInvites.uses })
    .from(chatInvites)
    .where(and(eq(chatInvites.chatUuid, chatUuid), isNull(chatInvites.revokedAt), gt(chatInvites.expiresAt, sql`now()`)))
    .orderBy(sql`${chatInvites.createdAt} desc`);
}

/**
 * An active account by email whose address is verified, for an invitation by email: whoever
 * merely typed the address at sign-up is not its owner, and is not offered the chat.
 */
export async function findActiveUserByEmail(tx: Pick<Tx, "select">, email: string): Promise<{ id: string } | undefined> {
  const [row] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.email, email), isNull(users.disabledAt), eq(users.guest, false), isNotNull(users.emailVerified)))
    .limit(1);
  return row;
}

/** Promotes an existing member to `role` when it is higher (an invitation never demotes); undefined when not a member. */
export async function promoteMember(tx: Tx, input: { chatUuid: string; userId: string; role: Exclude<MemberRole, "owner"> }): Promise<MemberRole | undefined> {
  const [row] = await tx
    .update(chatMembers)
    .set({ role: sql`case when ${chatMembers.role} = 'viewer' then ${input.role} else ${chatMembers.role} end` })
    .where(and(eq(chatMembers.chatUuid, input.chatUuid), eq(chatMembers.userId, input.userId)))
    .returning({ role: chatMembers.role });
  return row?.role;
}

/**
 * Makes a user a member with `role`; an existing member keeps the higher of their role and
 * this one (an invite never demotes). Returns the role they now have.
 */
export async function addMember(tx: Tx, input: { chatUuid: string; userId: string; role: Exclude<MemberRole, "owner"> }): Promise<MemberRole> {
  const [row] = await tx
    .insert(chatMembers)
    .values({ chatUuid: input.chatUuid, userId: input.userId, role: input.role })
    .onConflictDoUpdate({
      target: [chatMembers.chatUuid, chatMembers.userId],
      set: { role: sql`case when ${chatMembers.role} = 'viewer' then excluded.role else ${chatMembers.role} end` },
    })
    .returning({ role: chatMembers.role });
  return row!.role;
}

/** Changes a member's role (never the owner's); false when they are not a member. */
export async function setMemberRole(tx: Tx, input: { chatUuid: string; userId: string; role: Exclude<MemberRole, "owner"> }): Promise<boolean> {
  const rows = await tx
    .update(chatMembers)
    .set({ role: input.role })
    .where(and(eq(chatMembers.chatUuid, input.chatUuid), eq(chatMembers.userId, input.userId), sql`${chatMembers.role} <> 'owner'`))
    .returning({ userId: chatMembers.userId });
  return rows.length > 0;
}

/**
 * Removes a member (never the owner); false when they were not one. Their access ends with the
 * commit. Removed by the owner (`byOwner`), they are recorded in chat_removal: an invite link
 * does not bring them back, only a new invitation by email that they accept.
 */
export async function deleteMembership(tx: Tx, input: { chatUuid: string; userId: string; byOwner: boolean }): Promise<boolean> {
  const rows = await tx
    .delete(chatMembers)
    .where(and(eq(chatMembers.chatUuid, input.chatUuid), eq(chatMembers.userId, input.userId), sql`${chatMembers.role} <> 'owner'`))
    .returning({ userId: chatMembers.userId });
  if (rows.length > 0 && input.byOwner) {
    await tx.insert(chatRemovals).values({ chatUuid: input.chatUuid, userId: input.userId }).onConflictDoNothing();
  }
  return rows.length > 0;
}

export async function insertInvite(
  tx: Tx,
  input: { uuid: string; chatUuid: string; tokenHash: string; role: Exclude<MemberRole, "owner">; createdBy: string; expiresInSeconds: number },
): Promise<Pick<ChatInvite, "uuid" | "role" | "createdAt" | "expiresAt">> {
  const [row] = await tx
    .insert(chatInvites)
    .values({
      uuid: input.uuid,
      chatUuid: input.chatUuid,
      tokenHash: input.tokenHash,
      role: input.role,
      createdBy: input.createdBy,
      expiresAt: sql`now() + make_interval(secs => ${input.expiresInSeconds})`,
    })
    .returning({ uuid: chatInvites.uuid, role: chatInvites.role, createdAt: chatInvites.createdAt, expiresAt: chatInvites.expiresAt });
  return row!;
}

/** Revokes an invite of the chat (idempotent); false when the chat has no such invite. */
export async function markInviteRevoked(tx: Tx, input: { chatUuid: string; inviteUuid: string }): Promise<boolean> {
  const rows = await tx
    .update(chatInvites)
    .set({ revokedAt: sql`coalesce(${chatInvites.revokedAt}, now())` })
    .where(and(eq(chatInvites.uuid, input.inviteUuid), eq(chatInvites.chatUuid, input.chatUuid)))
    .returning({ uuid: chatInvites.uuid });
  return rows.length > 0;
}

export interface InviteInfo {
  chatUuid: string;
  chatTitle: string;
  role: Exclude<MemberRole, "owner">;
  invitedBy: string;
  /** The reader is already a member (with this role). */
  memberRole: MemberRole | null;
  /** The owner removed the reader from this chat: a link does not bring them back. */
  removed: boolean;
}

/** An invite that can still be used (not revoked, not expired), as the invited user sees it. */
/** `userId` null: a signed-out visitor (memberRole is then null). */
export async function findUsableInvite(input: { tokenHash: string; userId: string | null }): Promise<InviteInfo | undefined> {
  const db = await getDb();
  const [row] = await db
    .select({
      chatUuid: chatInvites.chatUuid,
      chatTitle: chats.title,
      role: chatInvites.role,
      invitedBy: displayName(users),
      memberRole: sql<MemberRole | null>`(select m.role from ${chatMembers} m where m.chat_uuid = ${chatInvites.chatUuid} and m.user_id = ${input.userId})`,
      removed: sql<boolean>`exists (select 1 from ${chatRemovals} r where r.chat_uuid = ${chatInvites.chatUuid} and r.user_id = ${input.userId})`,
    })
    .from(chatInvites)
    .innerJoin(chats, eq(chats.uuid, chatInvites.chatUuid))
    .innerJoin(users, eq(users.id, chatInvites.createdBy))
    .where(and(eq(chatInvites.tokenHash, input.tokenHash), isNull(chatInvites.revokedAt), gt(chatInvites.expiresAt, sql`now()`)))
    .limit(1);
  return row ? { ...row, removed: Boolean(row.removed) } : undefined;
}

export type AcceptInviteResult = { kind: "joined"; chatUuid: string; role: MemberRole } | { kind: "removed" } | undefined;

/**
 * Joins the chat of a usable invite, in one transaction that locks the invite (a revoke
 * committing first wins). The inviter must still be a member who may invite (the owner).
 * A link never changes the role of someone who is a member already (the owner's demotion
 * stands), and does not let back in someone the owner removed. Each join counts a use.
 */
export async function insertMemberByInvite(input: { tokenHash: string; userId: string }): Promise<AcceptInviteResult> {
  const db = await getDb();
  return db.transaction(async (tx): Promise<AcceptInviteResult> => {
    const [invite] = await tx
      .select({ uuid: chatInvites.uuid, chatUuid: chatInvites.chatUuid, role: chatInvites.role, createdBy: chatInvites.createdBy })
      .from(chatInvites)
      .where(and(eq(chatInvites.tokenHash, input.tokenHash), isNull(chatInvites.revokedAt), gt(chatInvites.expiresAt, sql`now()`)))
      .for("share")
      .limit(1);
    if (!invite) return undefined;
    const [inviter] = await tx
      .select({ role: chatMembers.role })
      .from(chatMembers)
      .innerJoin(users, activeUser())
      .where(memberOf(invite.chatUuid, invite.createdBy))
      .limit(1);
    if (inviter?.role !== "owner") return undefined;
    const [removed] = await tx
      .select({ userId: chatRemovals.userId })
      .from(chatRemovals)
      .where(and(eq(chatRemovals.chatUuid, invite.chatUuid), eq(chatRemovals.userId, input.userId)))
      .limit(1);
    if (removed) return { kind: "removed" };
    const [joined] = await tx
      .insert(chatMembers)
      .values({ chatUuid: invite.chatUuid, userId: input.userId, role: invite.role })
      .onConflictDoNothing()
      .returning({ role: chatMembers.role });
    if (joined) {
      await tx.update(chatInvites).set({ uses: sql`${chatInvites.uses} + 1` }).where(eq(chatInvites.uuid, invite.uuid));
      await tx.delete(chatInvitations).where(and(eq(chatInvitations.chatUuid, invite.chatUuid), eq(chatInvitations.userId, input.userId)));
      return { kind: "joined", chatUuid: invite.chatUuid, role: joined.role };
    }
    const [member] = await tx.select({ role: chatMembers.role }).from(chatMembers).where(memberOf(invite.chatUuid, input.userId)).limit(1);
    return { kind: "joined", chatUuid: invite.chatUuid, role: member!.role };
  });
}
