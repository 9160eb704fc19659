/**
 * Readiness: the database answers and every committed migration (db/migrations, its journal)
 * is recorded as applied in drizzle's own table.
 */
import "server-only";
import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { getDatabase, type DbKind } from "../client.ts";
import { migrationsFolder } from "../migrate.ts";
import { execRows, pgErrorInfo } from "./util.ts";

export interface Readiness {
  ready: boolean;
  db?: DbKind;
  /** Migrations in the journal, all applied when ready. */
  migrations: number;
  /** Tags of migrations not applied yet. */
  pending: string[];
  /** Why it is not ready, in a sentence. */
  reason?: string;
}

interface JournalEntry {
  tag: string;
  when: number;
}

function journal(): JournalEntry[] {
  const file = path.join(migrationsFolder(), "meta", "_journal.json");
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { entries?: JournalEntry[] };
  return parsed.entries ?? [];
}

export async function checkReadiness(): Promise<Readiness> {
  let entries: JournalEntry[];
  try {
    entries = journal();
  } catch {
    return { ready: false, migrations: 0, pending: [], reason: `The migrations folder ${migrationsFolder()} cannot be read.` };
  }
  const { db, kind } = await getDatabase();
  let applied: Set<string>;
  try {
    // drizzle records each applied migration with the journal's `when` as created_at.
    const rows = await execRows<{ created_at: string | number }>(db, sql`select created_at from drizzle.__drizzle_migrations`);
    applied = new Set(rows.map((r) => String(r.created_at)));
  } catch (err) {
    if (pgErrorInfo(err).code !== "42P01" && pgErrorInfo(err).code !== "3F000") throw err;
    applied = new Set(); // no migration table yet
  }
  const pending = entries.filter((e) => !applied.has(String(e.when))).map((e) => e.tag);
  return pending.length === 0
    ? { ready: true, db: kind, migrations: entries.length, pending }
    : { ready: false, db: kind, migrations: entries.length, pending, reason: `${pending.length} migration(s) not applied yet: ${pending.join(", ")}.` };
}
