/**
 * Live sessions: every session JWT carries an id (`sid`) that must have a row in `session`.
 * Sign-out deletes its row, "sign out everywhere" (and a password reset) all of the user's.
 */
import "server-only";
import { eq, sql } from "drizzle-orm";
import { getDb } from "../client.ts";
import { sessions } from "../schema.ts";

export async function insertSession(input: { sid: string; userId: string; maxAgeSeconds: number }): Promise<void> {
  const db = await getDb();
  await db.insert(sessions).values({
    sessionToken: input.sid,
    userId: input.userId,
    expires: sql`now() + make_interval(secs => ${input.maxAgeSeconds})`,
  });
  // Expired rows are of no use to anyone: pruned a few at a time by the sign-ins that add rows.
  await db.execute(sql`delete from ${sessions} where ${sessions.sessionToken} in (select ${sessions.sessionToken} from ${sessions} where ${sessions.expires} < now() limit 100)`);
}

export async function deleteSession(sid: string): Promise<void> {
  const db = await getDb();
  await db.delete(sessions).where(eq(sessions.sessionToken, sid));
}

/** Ends every session of the user; the number ended. */
export async function deleteUserSessions(userId: string): Promise<number> {
  const db = await getDb();
  const rows = await db.delete(sessions).where(eq(sessions.userId, userId)).returning({ sid: sessions.sessionToken });
  return rows.length;
}


