/**
 * Presence, typing and read state of chat members, piggybacked on the messages poll: the poll
 * reads them in its own round trip (db/queries/polls.ts), and writes them back at most
 * every PRESENCE_HEARTBEAT_MS per member (markPresence), or at once when something changed.
 */
import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { getDb } from "../client.ts";
import { rawRows } from "./raw.ts";
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
 * they have seen everything in it so far. `quiet`: a heartbeat of a member already shown
 * present, not typing, with nothing to mark read (the caller decides; heartbeat below).
 */
export async function markPresence(input: { chatUuid: string; userId: string; typing: boolean; read: boolean; quiet?: boolean }): Promise<void> {
  if (input.quiet) return heartbeat(input);
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

/**
 * A presence heartbeat that changes nobody's view (the member is shown present and stays so,
 * not typing): written, but not announced on the change feed (the trigger reads
 * `pollchat.quiet_presence`, set for this statement's transaction only), so that the other
 * readers' kept answers are not thrown away every few seconds; they expire by their own time
 * bound (docs/design.md §8.3).
 */
async function heartbeat(input: { chatUuid: string; userId: string }): Promise<void> {
  await rawRows(
    `with quiet as (select set_config('pollchat.quiet_presence', $3::text, true))
     update chat_member set seen_at = now(), typing_at = null
     from quiet where chat_uuid = $1 and user_id = $2`,
    [input.chatUuid, input.userId, String(QUIET_WITHIN_SECONDS)],
  );
}

/**
 * A heartbeat is quiet only when the member's previous mark is this recent by the database's
 * clock (the trigger checks): well inside the presence window, so they were shown present.
 */
const QUIET_WITHIN_SECONDS = PRESENCE_WINDOW_SECONDS - 3;
