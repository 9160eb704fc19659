/**
 * Presence, typing and read state of chat members, piggybacked on the messages poll: the poll
 * reads them in its own round trip (the lateral subquery below), and writes them back at most
 * every PRESENCE_HEARTBEAT_MS per member (markPresence), or at once when something changed.
 */
import "server-only";
import { and, eq, sql, type SQL } from "drizzle-orm";
import { alias, type AnyPgColumn } from "drizzle-orm/pg-core";
import { getDb, type Db } from "../client.ts";
import { chatMembers, chats, users } from "../schema.ts";

/** A member is present while their browser polls the chat, and for this long after. */
export const PRESENCE_WINDOW_SECONDS = 10;
/** "X is typing" lasts this long after the last poll that said so. */
export const TYPING_WINDOW_SECONDS = 5;

export interface PresentMember {
  userId: string;
  name: string;
  typing: boolean;
}

/** How a user is named to others: their name, else the part of their email before the @. */
export function displayName(u: { name: AnyPgColumn; email: AnyPgColumn }): SQL<string> {
  return sql<string>`coalesce(nullif(btrim(${u.name}), ''), split_part(${u.email}, '@', 1), 'Guest')`;
}

/**
 * For the polls' statements: the chat's member count and the OTHER members present (with
 * typing), for `.leftJoinLateral(presenceOf(db, me), sql\`true\`)` on a query over `chats`.
 */
export function presenceOf(db: Db, me: SQL | ReturnType<typeof sql.placeholder>) {
  const o = alias(chatMembers, "presence_member");
  const ou = alias(users, "presence_user");
  const recent = sql`${o.seenAt} > now() - make_interval(secs => ${PRESENCE_WINDOW_SECONDS})`;
  return db
    .select({
      memberCount: sql<number>`count(*)::int`.as("member_count"),
      present: sql<PresentMember[] | null>`json_agg(json_build_object(
          'userId', ${o.userId}, 'name', ${displayName(ou)},
          'typing', coalesce(${o.typingAt} > now() - make_interval(secs => ${TYPING_WINDOW_SECONDS}), false))
        order by ${o.seenAt}) filter (where ${o.userId} <> ${me} and ${recent})`.as("present"),
    })
    .from(o)
    .innerJoin(ou, eq(ou.id, o.userId))
    .where(eq(o.chatUuid, chats.uuid))
    .as("presence");
}

/**
 * Records that `userId` has the chat open (seen now, typing or not) and, with `read`, that
 * they have seen everything in it so far.
 */
export async function markPresence(input: { chatUuid: string; userId: string; typing: boolean; read: boolean }): Promise<void> {
  const db = await getDb();
  await db
    .update(chatMembers)
    .set({
      seenAt: sql`now()`,
      typingAt: input.typing ? sql`now()` : null,
      ...(input.read ? { lastReadAt: sql`greatest(${chatMembers.lastReadAt}, (select ${chats.lastMessageAt} from ${chats} where ${chats.uuid} = ${input.chatUuid}))` } : {}),
    })
    .where(and(eq(chatMembers.chatUuid, input.chatUuid), eq(chatMembers.userId, input.userId)));
}
