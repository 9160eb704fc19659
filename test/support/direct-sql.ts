/**
 * A server whose database a test may write to directly (to disable an account, add a member):
 * on PostgreSQL the shared server and a connection to its database, live; on PGlite (one
 * process at a time) a server of its own, stopped for each write and started again on the same
 * port, so the test's clients and cookies keep working.
 */
import { inject } from "vitest";
import postgres from "postgres";
import { providedAppEnv, providedDatabaseUrl } from "./context.ts";
import { createTestDatabase, removeDataDir, startAppServer, testAppEnv, type AppServer } from "./app-server.ts";
import { invariantViolations } from "./invariants.ts";

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
      url: inject("baseUrl"),
      sql: async (statement, params = []) => [...(await client.unsafe(statement, params as never[]))],
      close: () => client.end({ timeout: 5 }),
    };
  }
  const db = await createTestDatabase();
  const env = { ...testAppEnv(db, inject("fakeOpenAIUrl")), AUTH_SECRET: providedAppEnv().AUTH_SECRET! };
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
