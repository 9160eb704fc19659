/**
 * Who may see a chat, in SQL: a member of it (chat_member) whose account is active. Every
 * query that reads or writes a chat for a user joins this, so "not a member" and "does not
 * exist" are the same empty result (404), and a disabled account is refused in the same round
 * trip as the data. Keyed by the chat uuid: it distributes with the chat.
 */
import "server-only";
import { and, eq, isNull, type SQL, type SQLWrapper } from "drizzle-orm";
import { chatMembers, users, type MemberRole } from "../schema.ts";
import type { Db } from "../client.ts";

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Join conditions for `.innerJoin(chatMembers, …)` then `.innerJoin(users, activeUser())`. */
export function memberOf(chatUuid: SQLWrapper | string, userId: SQLWrapper | string): SQL {
  return and(eq(chatMembers.chatUuid, chatUuid), eq(chatMembers.userId, userId))!;
}

export function activeUser(): SQL {
  return and(eq(users.id, chatMembers.userId), isNull(users.disabledAt))!;
}

/** The role of an active (not disabled) user in a chat; undefined: not a member. */
export async function memberRole(tx: Pick<Db, "select">, input: { chatUuid: string; userId: string }): Promise<MemberRole | undefined> {
  const [row] = await tx
    .select({ role: chatMembers.role })
    .from(chatMembers)
    .innerJoin(users, activeUser())
    .where(memberOf(input.chatUuid, input.userId))
    .limit(1);
  return row?.role;
}

/** Roles that may write in a chat (send, regenerate, edit, stop, rename). */
export const canWrite = (role: MemberRole | undefined): boolean => role === "owner" || role === "editor";
