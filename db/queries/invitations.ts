/**
 * Invitations by email waiting for the invitee's answer (chat_invitation). The owner makes
 * one; nobody becomes a member until they accept it; declining (or the owner cancelling) deletes it.
 */
import "server-only";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { getDb } from "../client.ts";
import { chatInvitations, chatMembers, chatRemovals, chats, users, type MemberRole } from "../schema.ts";
import { activeUser, memberOf, type Tx } from "./access.ts";
import { displayName } from "./fragments.ts";

type InvitableRole = Exclude<MemberRole, "owner">;

/** Creates (or updates the role of) the pending invitation of `userId` to a chat. */
export async function upsertInvitation(tx: Tx, input: { uuid: string; chatUuid: string; userId: string; role: InvitableRole; invitedBy: string }) {
  const [row] = await tx
    .insert(chatInvitations)
    .values(input)
    .onConflictDoUpdate({ target: [chatInvitations.chatUuid, chatInvitations.userId], set: { role: input.role, invitedBy: input.invitedBy } })
    .returning();
  return row!;
}

export interface PendingForOwner {
  uuid: string;
  userId: string;
  name: string;
  email: string | null;
  role: InvitableRole;
  createdAt: Date;
}

/** A chat's pending invitations, for its owner. */
export async function listChatInvitations(tx: Pick<Tx, "select">, chatUuid: string): Promise<PendingForOwner[]> {
  return tx
    .select({
      uuid: chatInvitations.uuid,
      userId: chatInvitations.userId,
      name: displayName(users),
      email: users.email,
      role: chatInvitations.role,
      createdAt: chatInvitations.createdAt,
    })
    .from(chatInvitations)
    .innerJoin(users, eq(users.id, chatInvitations.userId))
    .where(eq(chatInvitations.chatUuid, chatUuid))
    .orderBy(desc(chatInvitations.createdAt));
}

/** Cancels the pending invitation of `userId` to a chat; false when there was none. */
export async function deleteInvitationFor(tx: Tx, input: { chatUuid: string; userId: string }): Promise<boolean> {
  const rows = await tx
    .delete(chatInvitations)
    .where(and(eq(chatInvitations.chatUuid, input.chatUuid), eq(chatInvitations.userId, input.userId)))
    .returning({ uuid: chatInvitations.uuid });
  return rows.length > 0;
}

export interface PendingForInvitee {
  uuid: string;
  chatUuid: string;
  chatTitle: string;
  role: InvitableRole;
  invitedById: string;
  invitedByName: string;
  createdAt: Date;
}

/** The invitations waiting for a user, newest first (those of an owner who is still the owner and active). */
export async function listMyInvitations(userId: string): Promise<PendingForInvitee[]> {
  const db = await getDb();
  return db
    .select({
      uuid: chatInvitations.uuid,
      chatUuid: chatInvitations.chatUuid,
      chatTitle: chats.title,
      role: chatInvitations.role,
      invitedById: users.id,
      invitedByName: displayName(users),
      createdAt: chatInvitations.createdAt,
    })
    .from(chatInvitations)
    .innerJoin(chats, eq(chats.uuid, chatInvitations.chatUuid))
    .innerJoin(users, and(eq(users.id, chatInvitations.invitedBy), eq(users.id, chats.userId), isNull(users.disabledAt)))
    .where(eq(chatInvitations.userId, userId))
    .orderBy(desc(chatInvitations.createdAt))
    .limit(100);
}

/**
 * Accepts an invitation addressed to `userId`: they become a member (a member already keeps
 * the higher role), the invitation goes, and a removal by the owner is lifted (the owner asked
 * them back). Undefined when there is no such invitation for them, or its sender is no longer
 * the chat's active owner.
 */
export async function insertMemberByInvitation(input: { uuid: string; userId: string }): Promise<{ chatUuid: string; role: MemberRole } | undefined> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [inv] = await tx
      .delete(chatInvitations)
      .where(and(eq(chatInvitations.uuid, input.uuid), eq(chatInvitations.userId, input.userId)))
      .returning();
    if (!inv) return undefined;
    const [inviter] = await tx
      .select({ role: chatMembers.role })
      .from(chatMembers)
      .innerJoin(users, activeUser())
      .where(memberOf(inv.chatUuid, inv.invitedBy))
      .for("share", { of: chatMembers })
      .limit(1);
    if (inviter?.role !== "owner") return undefined;
    const [row] = await tx
      .insert(chatMembers)
      .values({ chatUuid: inv.chatUuid, userId: input.userId, role: inv.role })
      .onConflictDoUpdate({
        target: [chatMembers.chatUuid, chatMembers.userId],
        set: { role: sql`case when ${chatMembers.role} = 'viewer' then excluded.role else ${chatMembers.role} end` },
      })
      .returning({ role: chatMembers.role });
    await tx.delete(chatRemovals).where(and(eq(chatRemovals.chatUuid, inv.chatUuid), eq(chatRemovals.userId, input.userId)));
    return { chatUuid: inv.chatUuid, role: row!.role };
  });
}

/** Declines an invitation addressed to `userId`; false when there is none. */
export async function deleteInvitationOf(input: { uuid: string; userId: string }): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .delete(chatInvitations)
    .where(and(eq(chatInvitations.uuid, input.uuid), eq(chatInvitations.userId, input.userId)))
    .returning({ uuid: chatInvitations.uuid });
  return rows.length > 0;
}
