/**
 * SQL straight into a test server's database, for what no endpoint may do (breaking invariants,
 * moving time: an expiry, a presence that went stale). PostgreSQL: live, alongside the server.
 * PGlite is held by its server process: the server is stopped while the SQL runs, then started
 * again (sessions survive: same AUTH_SECRET).
 */
import postgres from "postgres";
import { startAppServer, type AppServer, type TestDatabase } from "./app-server.ts";

export type Exec = (statement: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** A test server that can be restarted with the same environment (its URL may change). */
export interface RestartableServer {
  current: AppServer;
  restart(): Promise<void>;
}

export async function restartableServer(env: Record<string, string | undefined>): Promise<RestartableServer> {
  const server: RestartableServer = {
    current: await startAppServer({ env }),
    async restart() {
      server.current = await startAppServer({ env });
    },
  };
  return server;
}

export async function withDirectSql(db: TestDatabase, server: RestartableServer, write: (exec: Exec) => Promise<void>): Promise<void> {
  if ("url" in db) {
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      await write(async (s, p = []) => [...(await sql.unsafe(s, p as never[]))]);
    } finally {
      await sql.end({ timeout: 5 });
    }
    return;
  }
  await server.current.stop();
  const { PGlite } = await import("@electric-sql/pglite");
  const pg = await PGlite.create(db.pgliteDir);
  try {
    await write(async (s, p = []) => (await pg.query<Record<string, unknown>>(s, p)).rows);
  } finally {
    await pg.close();
  }
  await server.restart();
}
