/**
 * The database client, made once per process. DATABASE_URL set: a real PostgreSQL
 * through postgres.js. Unset: an embedded PGlite persisted under .data/pglite.
 * Migrations are applied before the first query is allowed through.
 */
import "server-only";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema.ts";
import { applyMigrations } from "./migrate.ts";
import { env } from "../lib/env.ts";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DbKind = "postgres" | "pglite";

export interface DbHandle {
  db: Db;
  kind: DbKind;
  close(): Promise<void>;
}

/** A start-up failure that is explained in one sentence (no stack trace for the operator). */
export class DatabaseConfigError extends Error {
  override name = "DatabaseConfigError";
}

export function pgliteDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ env().PGLITE_DIR ?? path.join(process.cwd(), ".data", "pglite"));
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "(unparseable)";
  }
}

/** Turns a driver's connection error into the one sentence an operator needs. */
export function explainConnectError(url: string, err: unknown): DatabaseConfigError {
  const root = rootCause(err);
  const code = (root as { code?: string } | null)?.code;
  const where = describeUrl(url);
  const reason =
    code === "ECONNREFUSED"
      ? "the connection was refused (is the server running?)"
      : code === "ENOTFOUND" || code === "EAI_AGAIN"
        ? "the host name does not resolve"
        : code === "3D000"
          ? "the database does not exist"
          : code === "28P01" || code === "28000"
            ? "the server rejected the user name or password"
            : code === "CONNECT_TIMEOUT" || code === "ETIMEDOUT"
              ? "the connection timed out"
              : (root as Error | null)?.message ?? String(root);
  return new DatabaseConfigError(`Cannot use the PostgreSQL database at ${where}: ${reason}. Check DATABASE_URL.`, {
    cause: err,
  });
}

async function openPostgres(url: string): Promise<DbHandle> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new DatabaseConfigError(
      "DATABASE_URL is not a valid URL: expected postgres://user:password@host:5432/database.",
      { cause },
    );
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new DatabaseConfigError(
      `DATABASE_URL must start with postgres:// or postgresql:// (got ${parsed.protocol}//).`,
    );
  }
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const sql = postgres(url, {
    max: env().DATABASE_POOL_SIZE,
    connect_timeout: 10,
    idle_timeout: 30,
    backoff: reconnectDelaySeconds,
    onnotice: () => {},
  });
  const db = drizzle(sql, { schema }) as unknown as Db;
  try {
    await applyMigrations({ kind: "postgres", db, url });
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw isConnectError(err) ? explainConnectError(url, err) : err;
  }
  return { db, kind: "postgres", close: () => sql.end({ timeout: 5 }) };
}

/**
 * How long a pool connection waits before it tries to reconnect after failed attempts. The
 * driver's default grows to 20 s during an outage, and queries wait for it: a request would
 * hang that long, and the app would stay down up to 20 s after the database is back. Capped
 * at one second (with jitter), a request during an outage answers 503 within about a second,
 * and the app serves again about a second after the database does.
 */
function reconnectDelaySeconds(failures: number): number {
  return Math.min(0.05 * 2 ** failures, 1) * (0.5 + Math.random() / 2);
}

/** The innermost cause: drizzle wraps driver errors in its own query error. */
function rootCause(err: unknown): unknown {
  let e = err;
  while (e && typeof e === "object" && "cause" in e && e.cause) e = e.cause;
  return e;
}

function isConnectError(err: unknown): boolean {
  const code = (rootCause(err) as { code?: string } | null)?.code;
  return Boolean(code && /^(ECONN|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|CONNECT_TIMEOUT|3D000|28P01|28000)/.test(code));
}

/**
 * PGlite has no lock of its own: two processes on one directory corrupt it. A lock file
 * with our pid refuses the second one with a sentence instead.
 */
function lockPgliteDir(dir: string): () => void {
  const lock = `${dir}.lock`;
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      return () => rmSync(lock, { force: true });
    } catch {
      const pid = Number(readFileSync(lock, "utf8").trim());
      let alive = false;
      try {
        if (pid && pid !== process.pid) {
          process.kill(pid, 0);
          alive = true;
        }
      } catch {
        alive = false;
      }
      if (alive) {
        throw new DatabaseConfigError(
          `The embedded database in ${dir} is in use by another process (pid ${pid}). Stop it, or set DATABASE_URL to use PostgreSQL.`,
        );
      }
      rmSync(lock, { force: true }); // left by a process that died
    }
  }
  throw new DatabaseConfigError(`Cannot lock the embedded database in ${dir}.`);
}

async function openPglite(): Promise<DbHandle> {
  const dir = pgliteDir();
  mkdirSync(dir, { recursive: true });
  const unlock = lockPgliteDir(dir);
  process.once("exit", unlock);
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  try {
    const client = await PGlite.create(dir);
    const db = drizzle(client, { schema }) as unknown as Db;
    await applyMigrations({ kind: "pglite", db });
    return {
      db,
      kind: "pglite",
      close: async () => {
        await client.close();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}

export function openDatabase(url = env().DATABASE_URL): Promise<DbHandle> {
  return url ? openPostgres(url) : openPglite();
}

const cache = globalThis as unknown as { __pollchatDb?: Promise<DbHandle> };

/** The process-wide database, opened (and migrated) on first use. */
export function getDatabase(): Promise<DbHandle> {
  if (!cache.__pollchatDb) {
    cache.__pollchatDb = openDatabase().catch((err: unknown) => {
      // Let a later call try again (the server may come up), but keep this failure visible.
      cache.__pollchatDb = undefined;
      throw err;
    });
  }
  return cache.__pollchatDb;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}
