/**
 * Hand-written SQL run on the driver directly (the polls, the runner's hottest writes): a poll
 * comes every 300 ms from every open tab, and drizzle's builder and row mapping cost a share of
 * a poll's server CPU worth saving (bench/RESULTS.md#goal-1-poll-cost; docs/design.md §8.1).
 * Prepared on PostgreSQL (postgres.js names the statement by its text); PGlite parses each
 * time. The rest of the app goes through drizzle.
 */
import "server-only";
import { getDatabase } from "../client.ts";

interface PostgresJsClient {
  unsafe(text: string, params: unknown[], opts: { prepare: boolean }): Promise<Record<string, unknown>[]>;
}
interface PgliteClient {
  query(text: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export async function rawRows<T extends Record<string, unknown>>(text: string, params: unknown[], options: { read?: boolean } = {}): Promise<T[]> {
  const handle = await getDatabase();
  const client = (handle.db as unknown as { $client: unknown }).$client;
  if (handle.kind !== "postgres") return (await (client as PgliteClient).query(text, params)).rows as T[];
  const run = async () => (await (client as PostgresJsClient).unsafe(text, params, { prepare: true })) as T[];
  try {
    return await run();
  } catch (err) {
    // A read on a connection that died under it (the server restarted, a proxy dropped it) is
    // asked again once, on another connection: the poll answers instead of a 503. Never a
    // write: whether it took effect is unknown.
    if (!options.read || !droppedConnection(err)) throw err;
    return run();
  }
}

/** The connection was lost (not: the database refuses connections, which a retry won't change). */
function droppedConnection(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^(ECONNRESET|EPIPE|CONNECTION_CLOSED|CONNECTION_ENDED|CONNECTION_DESTROYED|57P01|57P02|08006|08003)$/.test(code);
}
