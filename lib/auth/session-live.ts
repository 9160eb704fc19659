/**
 * Is a session still live (its row in `session` not deleted by sign-out)? For the two polls,
 * which check the account inside their own query and skip the guard's account check.
 *
 * With the change feed live (lib/changes/feed.ts) the answer is kept until the user's sessions
 * or account change (`u:<user>`, announced by the database to every server at once) or the
 * session expires: a poll asks nothing. Without it, for SESSION_LIVE_MS per session: a sign-out
 * on this server takes effect at once (its entry is dropped), on another within SESSION_LIVE_MS.
 */
import "server-only";
import { getDb } from "@/db/client";
import { sessions } from "@/db/schema";
import { and, eq, sql } from "drizzle-orm";
import { changeCache } from "../changes/cache";

const SESSION_LIVE_MS = 5_000;
const MAX_ENTRIES = 20_000;
// On globalThis: the App Router (sign-out) and the Pages routes (the polls) are separate bundles,
// each with its own copy of this module, in one process.
const KEY = Symbol.for("pollchat.liveSessions");
type Live = Map<string, { userId: string; until: number }>;
const holder = globalThis as { [KEY]?: Live };
const live: Live = (holder[KEY] ??= new Map() as Live);
/** Session id → its user, while the feed says nothing of theirs changed. */
const known = changeCache<string>("session");

export async function sessionLive(userId: string, sid: string): Promise<boolean> {
  if (known.get(sid) === userId) return true;
  const hit = live.get(sid);
  if (hit && hit.until > Date.now() && hit.userId === userId) return true;
  const at = known.begin();
  const db = await getDb();
  const [row] = await db
    .select({ sid: sessions.sessionToken, left: sql<number>`extract(epoch from ${sessions.expires} - now())::float8` })
    .from(sessions)
    .where(and(eq(sessions.sessionToken, sid), eq(sessions.userId, userId), sql`${sessions.expires} > now()`))
    .limit(1);
  if (!row) {
    live.delete(sid);
    known.delete(sid);
    return false;
  }
  if (at) {
    known.set(sid, at, userId, [`u:${userId}`], Number(row.left) * 1000);
    return true;
  }
  if (live.size >= MAX_ENTRIES) live.clear();
  live.set(sid, { userId, until: Date.now() + SESSION_LIVE_MS });
  return true;
}

/** Sign-out on this server: forget at once (one session, or every session of a user). */
export function forgetLiveSession(input: { sid?: string; userId?: string }): void {
  if (input.sid) {
    live.delete(input.sid);
    known.delete(input.sid);
  }
  if (input.userId) {
    for (const [sid, v] of live) if (v.userId === input.userId) live.delete(sid);
    known.clear(); // rare (sign out everywhere, a password reset): not worth an index by user
  }
}
