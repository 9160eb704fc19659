/**
 * When a messages poll writes the member's presence back (db/queries/presence.ts). Polls come
 * every 300 ms from every open tab: writing each would cost a write per poll. So a member's
 * row is written when something changed (they started or stopped typing, or the chat has
 * activity they have not read yet) and otherwise at most every HEARTBEAT_MS, and only in chats
 * with other members (nobody else would see it). The write does not hold the poll's answer back.
 */
import "server-only";
import { markPresence, PRESENCE_WINDOW_SECONDS } from "@/db/queries/presence";
import { log } from "../log";

/** Well inside the presence window, so a member who keeps polling never blinks out. */
const HEARTBEAT_MS = (PRESENCE_WINDOW_SECONDS * 1000) / 2.5;
const MAX_ENTRIES = 20_000;
/** A heartbeat counts as quiet only this far inside the presence window (app and database clocks, a slow write). */
const QUIET_MARGIN_MS = 3_000;

const lastWrite = new Map<string, { at: number; typing: boolean }>();

export function notePresence(input: {
  chatUuid: string;
  userId: string;
  typing: boolean;
  memberCount: number;
  /** The chat has messages (or answer endings) newer than what the member has read. */
  unread: boolean;
}): void {
  const key = `${input.chatUuid}|${input.userId}`;
  const now = Date.now();
  const prev = lastWrite.get(key);
  const shared = input.memberCount > 1;
  const typing = shared && input.typing;
  const due = shared && (!prev || now - prev.at >= HEARTBEAT_MS || prev.typing !== typing);
  if (!due && !input.unread) return;
  if (lastWrite.size >= MAX_ENTRIES) {
    for (const [k, v] of lastWrite) if (now - v.at > HEARTBEAT_MS) lastWrite.delete(k);
    if (lastWrite.size >= MAX_ENTRIES) lastWrite.clear();
  }
  // Shown present since this process's last write (with room for the clocks), not typing then
  // or now, nothing to mark read: a heartbeat nobody else needs to hear of
  // (db/queries/presence.ts). A typing mark lasts less than a heartbeat's interval: its refresh
  // is always announced.
  const quiet = prev !== undefined && now - prev.at < PRESENCE_WINDOW_SECONDS * 1000 - QUIET_MARGIN_MS && !prev.typing && !typing && !input.unread;
  lastWrite.set(key, { at: now, typing });
  markPresence({ chatUuid: input.chatUuid, userId: input.userId, typing, read: input.unread, quiet }).catch((err: unknown) => {
    lastWrite.delete(key); // try again at the next poll
    log().warn({ err }, "could not record presence");
  });
}

/** For tests of a single process: forget what was written. */
export function resetPresenceThrottle(): void {
  lastWrite.clear();
}
