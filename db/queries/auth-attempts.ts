/**
 * Counters of the sign-in and sign-up rate limits (lib/auth/throttle.ts): one row per counted
 * attempt, a sliding window computed by the database's clock.
 */
import "server-only";
import { and, eq, lt, sql } from "drizzle-orm";
import { getDb } from "../client.ts";
import { authAttempts, type AuthAttemptScope } from "../schema.ts";
import { execRows } from "./util.ts";

export interface AttemptKey {
  scope: AuthAttemptScope;
  subject: string;
}

/**
 * Seconds until `key` has fewer than `max` attempts within the last `windowSeconds`, or 0 when
 * it has fewer already. The lock lifts when the max-th newest attempt leaves the window.
 */
export async function secondsUntilBelow(input: { key: AttemptKey; max: number; windowSeconds: number }): Promise<number> {
  const db = await getDb();
  const rows = await execRows<{ wait: number | string }>(
    db,
    sql`select extract(epoch from (${authAttempts.createdAt} + make_interval(secs => ${input.windowSeconds}) - now()))::float8 as wait
        from ${authAttempts}
        where ${authAttempts.scope} = ${input.key.scope} and ${authAttempts.subject} = ${input.key.subject}
          and ${authAttempts.createdAt} > now() - make_interval(secs => ${input.windowSeconds})
        order by ${authAttempts.createdAt} desc
        limit 1 offset ${input.max - 1}`,
  );
  const wait = Number(rows[0]?.wait ?? 0);
  return wait > 0 ? wait : 0;
}

/** How many attempts `key` has within the window, and how long ago the newest was (seconds). */
export async function attemptStats(input: { key: AttemptKey; windowSeconds: number }): Promise<{ count: number; secondsSinceLast: number }> {
  const db = await getDb();
  const rows = await execRows<{ n: number | string; since: number | string | null }>(
    db,
    sql`select count(*)::int as n, extract(epoch from (now() - max(${authAttempts.createdAt})))::float8 as since
        from ${authAttempts}
        where ${authAttempts.scope} = ${input.key.scope} and ${authAttempts.subject} = ${input.key.subject}
          and ${authAttempts.createdAt} > now() - make_interval(secs => ${input.windowSeconds})`,
  );
  return { count: Number(rows[0]?.n ?? 0), secondsSinceLast: Number(rows[0]?.since ?? 0) };
}

/** Counts attempts, and forgets those older than `keepSeconds` (the longest window). */
export async function recordAttempts(input: { keys: AttemptKey[]; keepSeconds: number }): Promise<void> {
  if (input.keys.length === 0) return;
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.insert(authAttempts).values(input.keys);
    await tx.delete(authAttempts).where(lt(authAttempts.createdAt, sql`now() - make_interval(secs => ${input.keepSeconds})`));
  });
}

/** Forgets the attempts of one key (an account after a successful sign-in). */
export async function clearAttempts(key: AttemptKey): Promise<void> {
  const db = await getDb();
  await db.delete(authAttempts).where(and(eq(authAttempts.scope, key.scope), eq(authAttempts.subject, key.subject)));
}
