/**
 * SQL straight into a test server's database, for what no endpoint may do (breaking invariants,
 * moving time: an expiry, a presence that went stale; disabling an account, adding a member).
 * PostgreSQL: live, alongside the server. PGlite is held by its server process (one process at
 * a time): the server is stopped while the SQL runs, then started again (sessions survive:
 * same AUTH_SECRET).
 *
 * Two shapes: `withDirectSql` on a restartable server a test started itself, and
 * `serverWithSql`, which on PostgreSQL is the shared server and on PGlite a server of its own,
 * restarted on the same port so the test's clients keep working.
 */
import postgres from "postgres";
import { providedAppEnv, providedDatabaseUrl, sharedBaseUrl, sharedFakeOpenAIUrl } from "./context.ts";
import { createTestDatabase, removeDataDir, startAppServer, testAppEnv, type AppServer, type TestDatabase } from "./app-server.ts";
import { invariantViolations } from "./invariants.ts";

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

export type Rows = Record<string, unknown>[];

export interface SqlServer {
  url: string;
  sql(statement: string, params?: unknown[]): Promise<Rows>;
  /** Checks the invariants of a server of its own (the shared one is checked after every test) and stops it. */
  close(): Promise<void>;
}

export async function serverWithSql(): Promise<SqlServer> {
  const databaseUrl = providedDatabaseUrl();
  if (databaseUrl) {
    const client = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    return {
      url: sharedBaseUrl(),
      sql: async (statement, params = []) => [...(await client.unsafe(statement, params as never[]))],
      close: () => client.end({ timeout: 5 }),
    };
  }
  const db = await createTestDatabase();
  const env = { ...testAppEnv(db, sharedFakeOpenAIUrl()), AUTH_SECRET: providedAppEnv().AUTH_SECRET! };
  let server: AppServer = await startAppServer({ env });
  const port = server.port;
  return {
    url: server.url,
    async sql(statement, params = []) {
      await server.stop();
      const { PGlite } = await import("@electric-sql/pglite");
      const pg = await PGlite.create("pgliteDir" in db ? db.pgliteDir : "");
      try {
        return (await pg.query<Record<string, unknown>>(statement, params)).rows;
      } finally {
        await pg.close();
        server = await startAppServer({ env, port });
      }
    },
    async close() {
      try {
        const violations = await invariantViolations(server.url);
        if (violations.length) throw new Error(`invariants broken on the test's own server: ${JSON.stringify(violations)}`);
      } finally {
        await server.stop();
        await db.drop();
        removeDataDir(env);
      }
    },
  };
}

/** The user id behind a client's session. */
export async function userIdOf(client: { session(): Promise<{ user?: { id?: string } } | null> }): Promise<string> {
  const id = (await client.session())?.user?.id;
  if (!id) throw new Error("no user id in the session");
  return id;
}
