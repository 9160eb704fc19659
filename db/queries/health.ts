import "server-only";
import { sql } from "drizzle-orm";
import { getDatabase, type DbKind } from "../client.ts";

export async function checkDatabase(): Promise<DbKind> {
  const { db, kind } = await getDatabase();
  await db.execute(sql`select 1`);
  return kind;
}
