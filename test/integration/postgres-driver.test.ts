/**
 * The PostgreSQL driver's transactions under pipelining (scripts/patch-postgres.mjs): a
 * transaction's BEGIN must reserve its connection however the write that sent it went, or the
 * pool hands an open transaction to unrelated queries. Under real load that happens now and
 * then (the soak saw it within a minute); `max_pipeline: 0` makes every write "fill" the
 * pipeline, so the unfixed driver fails here every time, with UNSAFE_TRANSACTION.
 */
import { afterEach, describe, expect, test } from "vitest";
import postgres from "postgres";

const url = process.env.DATABASE_URL;
const opened: postgres.Sql[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((sql) => sql.end({ timeout: 5 })));
});

/** `max_pipeline` is a driver option its types leave out. */
function pool(options: { max: number; max_pipeline: number }): postgres.Sql {
  const sql = postgres(url!, { onnotice: () => {}, ...(options as postgres.Options<Record<string, postgres.PostgresType>>) });
  opened.push(sql);
  return sql;
}

describe.skipIf(!url)("postgres.js transactions (skipped on PGlite: no driver pool there)", () => {
  test("a transaction whose BEGIN fills the pipeline still owns its connection", async () => {
    // max_pipeline 0: every write "fills" it, which without the fix skipped the reservation.
    const sql = pool({ max: 2, max_pipeline: 0 });
    const result = await sql.begin(async (tx) => {
      const [row] = await tx`select 1 as ok, current_setting('transaction_isolation') as isolation`;
      return row;
    });
    expect(result).toMatchObject({ ok: 1 });
  });
});
