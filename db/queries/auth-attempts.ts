/**
 * Counters of the sign-in and sign-up rate limits and the hourly budgets (lib/auth/throttle.ts):
 * one row per counted attempt, a sliding window computed by the database's clock.
 *
 * A limit's check and its count happen in one transaction that holds an advisory lock per key
 * (`lockedAttempts`): checked and counted apart, N requests at once would all pass the check
 * before any of them was counted.
 */
import "server-only";
import { and, eq, inArray, lt, sql } from "drizzle-orm";
import { getDb, type Db } from "../client.ts";
import { authAttempts, type AuthAttemptScope } from "../schema.ts";
import type { Tx } from "./access.ts";
import { execRows } from "./util.ts";

export interface AttemptKey {
  scope: AuthAttemptScope;
  subject: string;
}

type Exec = Pick<Db, "execute">;

/**
 * Runs `work` in a transaction that holds the lock of each key until it ends: checks and
 * counts of the same key run one after the other, across every app instance. Keys are locked
 * in one order, so two callers locking the same pair cannot deadlock.
 */
export async function lockedAttempts<T>(keys: AttemptKey[], work: (tx: Tx) => Promise<T>): Promise<T> {
  const db = await getDb();
  const names = [...new Set(keys.map((k) => `attempt:${k.scope}:${k.subject}`))].sort();
  return db.transaction(async (tx) => {
    for (const name of names) await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${name}))`);
    return work(tx);
  });
}

/**
 * Seconds until `key` has fewer than `max` attempts within the last `windowSeconds`, or 0 when
 * it has fewer already. The lock lifts when the max-th newest attempt leaves the window.
 */
export async function secondsUntilBelow(tx: Exec, input: { key: AttemptKey; max: number; windowSeconds: number }): Promise<number> {
  const rows = await execRows<{ wait: number | string }>(
    tx,
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
export async function attemptStats(tx: Exec, input: { key: AttemptKey; windowSeconds: number }): Promise<{ count: number; secondsSinceLast: number }> {
  const rows = await execRows<{ n: number | string; since: number | string | null }>(
    tx,
    sql`select count(*)::int as n, extract(epoch from (now() - max(${authAttempts.createdAt})))::float8 as since
        from ${authAttempts}
        where ${authAttempts.scope} = ${input.key.scope} and ${authAttempts.subject} = ${input.key.subject}
          and ${authAttempts.createdAt} > now() - make_interval(secs => ${input.windowSeconds})`,
  );
  return { count: Number(rows[0]?.n ?? 0), secondsSinceLast: Number(rows[0]?.since ?? 0) };
}

/**
 * Counts attempts (`times` of each key, default once) and forgets those older than
 * `keepSeconds` (the longest window). Answers the new rows' ids, to take them back (`forgetAttempts`).
 */
export async function recordAttempts(tx: Tx, input: { keys: AttemptKey[]; keepSeconds: number; times?: number }): Promise<number[]> {
  const rows = input.keys.flatMap((k) => Array.from({ length: input.times ?? 1 }, () => k));
  if (rows.length === 0) return [];
  const ids = await tx.insert(authAttempts).values(rows).returning({ id: authAttempts.id });
  await tx.delete(authAttempts).where(lt(authAttempts.createdAt, sql`now() - make_interval(secs => ${input.keepSeconds})`));
  return ids.map((r) => r.id);
}

/** Takes back counted attempts by id (a sign-in that turned out right, chats an import did not create). */
export async function forgetAttempts(ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const db = await getDb();
  await db.delete(authAttempts).where(inArray(authAttempts.id, ids));
}

/** Forgets the attempts of one key (an account after a successful sign-in). */
export async function clearAttempts(key: AttemptKey): Promise<void> {
  const db = await getDb();
  await db.delete(authAttempts).where(and(eq(authAttempts.scope, key.scope), eq(authAttempts.subject, key.subject)));
}
