/**
 * Goal 2, write amplification, on a throwaway PostgreSQL cluster of its own (so that its WAL
 * is ours alone) with pg_stat_statements. Needs a build, root and Debian's postgresql-common.
 *
 *   node bench/writes.ts [--seconds 10] [--rates 20,200,2000] [--lengths 1000,10000,100000] [--json out.json]
 *
 * 1. Writes per generating message per second at each token rate of the fake model (one
 *    answer at a time, 5 characters a token): the write statements PostgreSQL executed, by
 *    kind, from pg_stat_statements: their mean over the streaming time, and the busiest
 *    second (sampled every second).
 * 2. WAL bytes per answer (pg_current_wal_lsn before and after) for answers of each length,
 *    made of incompressible text (random letters) so that TOAST compression flatters nothing.
 * 3. The design not taken, measured on the same cluster: the same answer appended to one text
 *    column (`update … set body = body || $batch`) against append-only chunk rows.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { createThrowawayCluster, throwawayClusterUnavailable } from "../test/support/pg-cluster.ts";
import { answerTo, createChat, send, signUp, sleep, startStack } from "./lib/harness.ts";
import { writeStatements } from "./lib/statements.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    rates: { type: "string", default: "20,200,2000" },
    lengths: { type: "string", default: "1000,10000,100000" },
    json: { type: "string" },
  },
  strict: true,
});
const seconds = Number(values.seconds);
const rates = values.rates.split(",").map(Number);
const lengths = values.lengths.split(",").map(Number);

const unavailable = throwawayClusterUnavailable();
if (unavailable) {
  console.error(`writes: needs a throwaway PostgreSQL cluster, and ${unavailable}. Run it with DATABASE_URL set, as root, where pg_createcluster exists.`);
  process.exit(2);
}

/** Letters and spaces in no pattern pglz can find: what a real answer costs, uncompressed. */
function randomText(n: number, seed = 1): string {
  let x = seed;
  let out = "";
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const r = x % 28;
    out += r >= 26 ? " " : String.fromCharCode(97 + r);
  }
  return out;
}

type Sql = ReturnType<typeof postgres>;

async function walLsn(sql: Sql): Promise<bigint> {
  const [row] = await sql<{ b: string }[]>`select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint::text as b`;
  return BigInt(row!.b);
}

async function waitFinished(sql: Sql, requestOf: string): Promise<{ started: Date; finished: Date }> {
  for (;;) {
    const [row] = await sql<{ status: string; started_at: Date | null; finished_at: Date | null }[]>`
      select status, started_at, finished_at from llm_request where prompt_message_uuid = ${requestOf}`;
    if (row && row.status !== "queued" && row.status !== "running") {
      if (row.status !== "completed") throw new Error(`the answer ended ${row.status}`);
      return { started: row.started_at!, finished: row.finished_at! };
    }
    await sleep(200);
  }
}

const cluster = await createThrowawayCluster({ shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.track": "all" });
const firstChunk = new Map<string, number>();
const lastChunk = new Map<string, number>();
const stack = await startStack({
  serverUrl: cluster.url,
  onChunk: (e) => {
    if (!firstChunk.has(e.message)) firstChunk.set(e.message, e.at);
    lastChunk.set(e.message, e.at);
  },
});
const sql = postgres(stack.databaseUrl!, { max: 1, onnotice: () => {} });
const result: { rates: unknown[]; lengths: unknown[]; design: unknown[] } = { rates: [], lengths: [], design: [] };
try {
  await sql`create extension if not exists pg_stat_statements`;
  const client = await signUp(stack.app.url);

  console.log(`\n## Writes per generating message (PostgreSQL ${cluster.name}, one answer at a time, ${seconds} s each)\n`);
  console.log("| tokens/s | chars | streaming s | chunk inserts | lease renewals | other | writes/s while streaming: mean | busiest second |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const rate of rates) {
    const chat = await createChat(client);
    const tokens = rate * seconds;
    const id = `rate-${rate}-${Date.now()}`;
    await sql`select pg_stat_statements_reset()`;
    const asked = await send(client, chat, `[[fake text="word " repeat=${tokens} chunk=5 tps=${rate}]] ${id}`);
    // Sampled every second while it streams: the busiest second is the figure that must stay <= 10.
    let finished = false;
    const perSecondSamples: number[] = [];
    const sampler = (async () => {
      let last = 0;
      for (let t = performance.now(); !finished; ) {
        t += 1000;
        await sleep(t - performance.now());
        const w = await writeStatements(sql);
        const total = (w["chunk insert"] ?? 0) + (w["lease renewal"] ?? 0) + (w["first token"] ?? 0);
        if (firstChunk.has(id) && !finished) perSecondSamples.push(total - last);
        last = total;
      }
    })();
    await waitFinished(sql, asked.uuid);
    finished = true;
    await sampler;
    const busiest = Math.max(...perSecondSamples.slice(1)); // the first sample straddles the start
    const w = await writeStatements(sql);
    const streaming = ((lastChunk.get(id) ?? 0) - (firstChunk.get(id) ?? 0)) / 1000;
    const perSecond = ((w["chunk insert"] ?? 0) + (w["lease renewal"] ?? 0) + (w["first token"] ?? 0)) / streaming;
    result.rates.push({ rate, chars: tokens * 5, streaming, writes: w, perSecond, busiest, perSecondSamples });
    console.log(`| ${rate} | ${tokens * 5} | ${streaming.toFixed(1)} | ${w["chunk insert"] ?? 0} | ${w["lease renewal"] ?? 0} | ${(w["other (send, claim, finish)"] ?? 0) + (w["first token"] ?? 0)} | ${perSecond.toFixed(2)} | ${busiest} |`);
  }

  console.log(`\n## WAL per answer (incompressible text, 2,000 tokens/s of 10 characters)\n`);
  console.log("| answer chars | WAL bytes | WAL / answer size |");
  console.log("|---:|---:|---:|");
  const block = randomText(10_000);
  for (const length of lengths) {
    const chat = await createChat(client);
    const text = length <= block.length ? block.slice(0, length) : block;
    const repeat = length <= block.length ? 1 : Math.round(length / block.length);
    const chars = text.length * repeat;
    const before = await walLsn(sql);
    const asked = await send(client, chat, `[[fake text="${text}" repeat=${repeat} chunk=10 tps=2000]] wal-${length}`);
    // The prompt (the directive holds the text) is the user's message, not the answer: start after it.
    const afterSend = await walLsn(sql);
    await answerTo(client, chat, asked.uuid);
    await waitFinished(sql, asked.uuid);
    const wal = Number((await walLsn(sql)) - afterSend);
    result.lengths.push({ chars, wal, ratio: wal / chars, sendWal: Number(afterSend - before) });
    console.log(`| ${chars} | ${wal} | ${(wal / chars).toFixed(2)} |`);
  }

  console.log(`\n## The design not taken: one growing text column vs chunk rows (same cluster, raw SQL)\n`);
  console.log("| answer chars | batch chars | text column WAL | chunk rows WAL |");
  console.log("|---:|---:|---:|---:|");
  await sql`create table bench_growing (id int primary key, body text not null)`;
  await sql`create table bench_chunks (id int, start_pos int, body text not null, primary key (id, start_pos))`;
  const answer = randomText(100_000, 7);
  for (const batch of [200, 2_000]) {
    let id = batch;
    await sql`insert into bench_growing values (${id}, '')`;
    let t0 = await walLsn(sql);
    for (let p = 0; p < answer.length; p += batch) await sql`update bench_growing set body = body || ${answer.slice(p, p + batch)} where id = ${id}`;
    const growing = Number((await walLsn(sql)) - t0);
    id += 1;
    t0 = await walLsn(sql);
    for (let p = 0; p < answer.length; p += batch) await sql`insert into bench_chunks values (${id}, ${p}, ${answer.slice(p, p + batch)})`;
    const chunks = Number((await walLsn(sql)) - t0);
    result.design.push({ chars: answer.length, batch, growing, chunks });
    console.log(`| ${answer.length} | ${batch} | ${growing} (${(growing / answer.length).toFixed(1)}x) | ${chunks} (${(chunks / answer.length).toFixed(1)}x) |`);
  }
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await sql.end({ timeout: 5 });
  await stack.stop();
  cluster.drop();
}
