/**
 * Usage accounting and the load the quotas are checked against, summed straight from
 * llm_request (input and output tokens per request, usage_estimated when they were estimated).
 * Every sum reads one range of llm_request_user_created_idx (user_id, created_at): a user's
 * day or month is a few hundred rows at most, so no rollup table is kept.
 */
import "server-only";
import { and, eq, gte, sql } from "drizzle-orm";
import { getDb, type Db } from "../client.ts";
import { llmRequests, users, type UserQuota } from "../schema.ts";
import type { Tx } from "./access.ts";
import type { UsageRow } from "../../lib/contract.ts";

/** Tokens of one request, whatever was recorded (a request that never reached a model: 0). */
export const requestTokens = sql<number>`(coalesce(${llmRequests.inputTokens}, 0) + coalesce(${llmRequests.outputTokens}, 0))`;

/** ~4 characters a token: the estimate where a provider reports no usage (and the demo model's own). */
export function estimateTokens(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return Math.ceil(n / 4);
}

/** Midnight UTC today, by the database's clock (the same clock that stamps created_at). */
const utcMidnight = sql`(date_trunc('day', now() at time zone 'utc') at time zone 'utc')`;

/**
 * Serializes the quota checks of one user: two sends in two chats at once would otherwise both
 * see the load before either insert and both pass. Held until the caller's transaction ends.
 */
export async function lockUserQuota(tx: Tx, userId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`quota:${userId}`}))`);
}

export interface UserLoad {
  active: number;
  lastHour: number;
  oldestInHour: Date | null;
  tokensToday: number;
}

/** Counts for the quotas: generations in flight, asked for in the last hour, tokens since midnight UTC. */
export async function userLoad(tx: Pick<Db, "select">, userId: string): Promise<UserLoad> {
  const hourAgo = sql`now() - interval '1 hour'`;
  const [row] = await tx
    .select({
      active: sql<number>`count(*) filter (where ${llmRequests.status} in ('queued', 'running'))::int`,
      lastHour: sql<number>`count(*) filter (where ${llmRequests.createdAt} > ${hourAgo})::int`,
      oldestInHour: sql<Date | string | null>`min(${llmRequests.createdAt}) filter (where ${llmRequests.createdAt} > ${hourAgo})`,
      tokensToday: sql<number>`coalesce(sum(${requestTokens}) filter (where ${llmRequests.createdAt} >= ${utcMidnight}), 0)::bigint`,
    })
    .from(llmRequests)
    .where(and(eq(llmRequests.userId, userId), sql`${llmRequests.createdAt} >= least(${hourAgo}, ${utcMidnight})`));
  return {
    active: Number(row?.active ?? 0),
    lastHour: Number(row?.lastHour ?? 0),
    oldestInHour: row?.oldestInHour ? new Date(row.oldestInHour) : null,
    tokensToday: Number(row?.tokensToday ?? 0),
  };
}

/** What the quotas of a user depend on: guest or not, and the admin's overrides. */
export async function quotaSubject(tx: Pick<Db, "select">, userId: string): Promise<{ guest: boolean; quota: UserQuota } | undefined> {
  const [row] = await tx.select({ guest: users.guest, quota: users.quota }).from(users).where(eq(users.id, userId)).limit(1);
  return row;
}

/** A user's usage per UTC day and model over the last `days` days (today included), newest day first. */
export async function usageByDay(input: { userId: string; days: number }): Promise<UsageRow[]> {
  const db = await getDb();
  const day = sql<string>`to_char(${llmRequests.createdAt} at time zone 'utc', 'YYYY-MM-DD')`;
  const rows = await db
    .select({
      day,
      model: llmRequests.model,
      requests: sql<number>`count(*)::int`,
      inputTokens: sql<number>`coalesce(sum(${llmRequests.inputTokens}), 0)::bigint`,
      outputTokens: sql<number>`coalesce(sum(${llmRequests.outputTokens}), 0)::bigint`,
      estimated: sql<boolean>`bool_or(${llmRequests.usageEstimated})`,
    })
    .from(llmRequests)
    .where(
      and(
        eq(llmRequests.userId, input.userId),
        gte(llmRequests.createdAt, sql`${utcMidnight} - make_interval(days => ${input.days - 1})`),
      ),
    )
    .groupBy(day, llmRequests.model)
    .orderBy(sql`1 desc`, llmRequests.model);
  return rows.map((r) => ({
    day: r.day,
    model: r.model,
    requests: Number(r.requests),
    inputTokens: Number(r.inputTokens),
    outputTokens: Number(r.outputTokens),
    estimated: Boolean(r.estimated),
  }));
}
