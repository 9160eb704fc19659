/**
 * SQL rules that several statements share, each written once as text: the hand-written polls
 * splice the text in, drizzle queries take it through `sql.raw` (displayName).
 */
import "server-only";
import { getTableName, sql, type SQL, type Table } from "drizzle-orm";

/** How a user (a "user" row aliased `alias`) is named to others: their name, else their email's local part. */
export const displayNameSql = (alias: string): string =>
  `coalesce(nullif(btrim(${alias}.name), ''), split_part(${alias}.email, '@', 1), 'Guest')`;

/** displayNameSql for a drizzle query over the `users` table or an alias of it. */
export function displayName(usersTable: Table): SQL<string> {
  return sql<string>`${sql.raw(displayNameSql(`"${getTableName(usersTable)}"`))}`;
}

/**
 * A request (an llm_request aliased `alias`) whose runner is gone: running with an expired
 * lease, or queued and not started by its own server within the grace (`grace`: an SQL
 * expression in seconds). Computed by the database's clock, so app and database clocks need
 * not agree.
 */
export const staleSql = (alias: string, grace: string): string =>
  `coalesce((${alias}.status = 'running' and ${alias}.lease_until < now()) or (${alias}.status = 'queued' and ${alias}.created_at < now() - make_interval(secs => ${grace})), false)`;

/**
 * Seconds until a request (aliased `alias`) in flight would become stale by staleSql's rule
 * (null: not in flight), by the database's clock: how long a poll's answer that says it is
 * not stale may be kept (docs/design.md §8.3).
 */
export const staleInSql = (alias: string, grace: string): string =>
  `(case when ${alias}.status = 'running' then extract(epoch from ${alias}.lease_until - now()) when ${alias}.status = 'queued' then extract(epoch from ${alias}.created_at - now()) + ${grace} end)::float8`;

/** A request that may be claimed: queued, or running with an expired lease (for the request aliased `alias`). */
export const claimableSql = (alias: string): string =>
  `(${alias}.status = 'queued' or (${alias}.status = 'running' and ${alias}.lease_until < now()))`;

/** An answer in progress in a chat: a request still queued or running (for the request aliased `alias`). */
export const inProgressSql = (alias: string): string => `${alias}.status in ('queued', 'running')`;
