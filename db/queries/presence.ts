/**
 * Presence, typing and read state of chat members, piggybacked on the messages poll: the poll
 * reads them in its own round trip (db/queries/polls.ts), and writes them back at most
 * every PRESENCE_HEARTBEAT_MS per member (markPresence), or at once when something changed.
 */
import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { getDb } from "../client.ts";
import { chatMembers, chats } from "../schema.ts";

/** A member is present while their browser polls the chat, and for this long after. */
export const PRESENCE_WINDOW_SECONDS = 10;
/** "X is typing" lasts this long after the last poll that said so. */
export const TYPING_WINDOW_SECONDS = 5;

export interface PresentMember {
  userId: string;
  name: string;
  typing: boolean;
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
