/**
 * The admin area's SQL: every user with their usage, disabling and quota overrides, and the
 * generations in flight or failed. Never message text: ids, models, statuses, times, errors.
 * Callers are admins (lib/http/route.ts adminRoute); nothing here is scoped to one user.
 */
import "server-only";
import { and, desc, eq, gte, ilike, inArray, or, sql, type SQL } from "drizzle-orm";
import { getDb } from "../client.ts";
import { llmRequests, users, type User, type UserQuota } from "../schema.ts";
import { requestTokens } from "./usage.ts";

export interface AdminUserRow {
  id: string;
  email: string | null;
  name: string | null;
  role: User["role"];
  guest: boolean;
  emailVerified: Date | null;
  disabledAt: Date | null;
  quota: UserQuota;
  createdAt: Date;
  tokensToday: number;
  tokens30d: number;
  requests30d: number;
  messagesLastHour: number;
  active: number;
}

/** Users newest first, `limit` at a time after the keyset cursor, with their usage (one lateral sum per user). */
export async function listUsersWithUsage(input: { limit: number; before?: { createdAt: Date; id: string }; query?: string; id?: string }): Promise<AdminUserRow[]> {
  const db = await getDb();
  const conditions: SQL[] = [];
  if (input.id) conditions.push(eq(users.id, input.id));
  if (input.before) conditions.push(sql`(${users.createdAt}, ${users.id}) < (${input.before.createdAt.toISOString()}::timestamptz, ${input.before.id})`);
  if (input.query) {
    const pattern = `%${input.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(users.email, pattern), ilike(users.name, pattern))!);
  }
  const r = llmRequests;
  const usage = sql`lateral (
    select
      coalesce(sum(${requestTokens}) filter (where ${r.createdAt} >= date_trunc('day', now() at time zone 'utc') at time zone 'utc'), 0)::bigint as tokens_today,
      coalesce(sum(${requestTokens}), 0)::bigint as tokens_30d,
      count(*)::int as requests_30d,
      count(*) filter (where ${r.createdAt} > now() - interval '1 hour')::int as messages_last_hour,
      count(*) filter (where ${r.status} in ('queued', 'running'))::int as active
    from ${r}
    where ${r.userId} = ${users.id} and ${r.createdAt} >= now() - interval '30 days'
  ) u`;
  const rows = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      guest: users.guest,
      emailVerified: users.emailVerified,
      disabledAt: users.disabledAt,
      quota: users.quota,
      createdAt: users.createdAt,
      tokensToday: sql<number>`u.tokens_today`,
      tokens30d: sql<number>`u.tokens_30d`,
      requests30d: sql<number>`u.requests_30d`,
      messagesLastHour: sql<number>`u.messages_last_hour`,
      active: sql<number>`u.active`,
    })
    .from(users)
    .leftJoin(usage, sql`true`)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(input.limit);
  return rows.map((r) => ({
    ...r,
    tokensToday: Number(r.tokensToday ?? 0),
    tokens30d: Number(r.tokens30d ?? 0),
    requests30d: Number(r.requests30d ?? 0),
    messagesLastHour: Number(r.messagesLastHour ?? 0),
    active: Number(r.active ?? 0),
  }));
}

export async function findUserForAdmin(id: string): Promise<AdminUserRow | undefined> {
  const [row] = await listUsersWithUsage({ limit: 1, id });
  return row;
}

/**
 * Disables or enables a user. Disabling also ends their generations in flight: their uuids are
 * returned for the caller to cancel (and to stop a runner in this process at once).
 */
export async function setUserDisabled(input: { id: string; disabled: boolean }): Promise<{ found: boolean; active: string[] }> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ disabledAt: input.disabled ? sql`coalesce(${users.disabledAt}, now())` : null })
      .where(eq(users.id, input.id))
      .returning({ id: users.id });
    if (!row) return { found: false, active: [] };
    if (!input.disabled) return { found: true, active: [] };
    const active = await tx
      .select({ uuid: llmRequests.uuid })
      .from(llmRequests)
      .where(and(eq(llmRequests.userId, input.id), inArray(llmRequests.status, ["queued", "running"])));
    return { found: true, active: active.map((a) => a.uuid) };
  });
}

/** Sets (a number) or clears (null) each named override; the others stay. False: no such user. */
export async function setUserQuota(input: { id: string; changes: Partial<Record<keyof UserQuota, number | null>> }): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx.select({ quota: users.quota }).from(users).where(eq(users.id, input.id)).for("update").limit(1);
    if (!row) return false;
    const quota: UserQuota = { ...row.quota };
    for (const [name, value] of Object.entries(input.changes) as [keyof UserQuota, number | null | undefined][]) {
      if (value === null) delete quota[name];
      else if (value !== undefined) quota[name] = value;
    }
    await tx.update(users).set({ quota }).where(eq(users.id, input.id));
    return true;
  });
}

export interface AdminGenerationRow {
  uuid: string;
  chatUuid: string;
  userId: string;
  userEmail: string | null;
  userGuest: boolean;
  model: string;
  status: string;
  attempt: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
}

const generationColumns = {
  uuid: llmRequests.uuid,
  chatUuid: llmRequests.chatUuid,
  userId: llmRequests.userId,
  userEmail: users.email,
  userGuest: sql<boolean>`coalesce(${users.guest}, false)`,
  model: llmRequests.model,
  status: llmRequests.status,
  attempt: llmRequests.attempt,
  createdAt: llmRequests.createdAt,
  startedAt: llmRequests.startedAt,
  finishedAt: llmRequests.finishedAt,
  error: llmRequests.error,
};

/** Generations queued or running now, oldest first (llm_request_active_idx). */
export async function listActiveGenerations(limit: number): Promise<AdminGenerationRow[]> {
  const db = await getDb();
  return db
    .select(generationColumns)
    .from(llmRequests)
    .leftJoin(users, eq(users.id, llmRequests.userId))
    .where(inArray(llmRequests.status, ["queued", "running"]))
    .orderBy(llmRequests.createdAt)
    .limit(limit);
}

/**
 * Failed generations of the last `days` days, newest first. A scan of the recent part of
 * llm_request: fine for an admin page opened by hand (no index on status for finished rows).
 */
export async function listFailedGenerations(input: { limit: number; days: number }): Promise<AdminGenerationRow[]> {
  const db = await getDb();
  return db
    .select(generationColumns)
    .from(llmRequests)
    .leftJoin(users, eq(users.id, llmRequests.userId))
    .where(and(eq(llmRequests.status, "failed"), gte(llmRequests.createdAt, sql`now() - make_interval(days => ${input.days})`)))
    .orderBy(desc(llmRequests.createdAt))
    .limit(input.limit);
}
