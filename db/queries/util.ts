import "server-only";
import type { SQL } from "drizzle-orm";
import type { Db } from "../client.ts";

/** Rows of a raw statement: postgres.js returns an array, PGlite an object with `rows`. */
export async function execRows<T>(db: Pick<Db, "execute">, query: SQL): Promise<T[]> {
  const res: unknown = await db.execute(query);
  return (Array.isArray(res) ? res : ((res as { rows?: unknown[] }).rows ?? [])) as T[];
}

/** The innermost PostgreSQL error code and constraint, whichever driver threw it. */
export function pgErrorInfo(err: unknown): { code?: string; constraint?: string } {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const o = e as { code?: unknown; constraint_name?: unknown; constraint?: unknown };
    if (typeof o.code === "string" && /^[0-9A-Z]{5}$/.test(o.code)) {
      const constraint = typeof o.constraint_name === "string" ? o.constraint_name : typeof o.constraint === "string" ? o.constraint : undefined;
      return { code: o.code, constraint };
    }
  }
  return {};
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const info = pgErrorInfo(err);
  return info.code === "23505" && (!constraint || info.constraint === constraint);
}

/**
 * A statement built once per database handle and executed with placeholders. For the polls:
 * building a query with drizzle's builder costs several times the Node CPU of the round trip
 * itself (bench/RESULTS.md has the figures).
 */
export function preparedFor<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let statement = built.get(db);
    if (!statement) {
      statement = build(db);
      built.set(db, statement);
    }
    return statement;
  };
}
