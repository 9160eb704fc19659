/**
 * Issue #20 item 3: from a crash to resumed text, p95 <= 3 s. Needs a build (npm run build:
 * this builds nothing) and PostgreSQL (DATABASE_URL): two servers share one database.
 *
 *   node bench/resume.ts [--kills 20] [--chars 1500] [--delay 20] [--ttft 0] [--poll-ms 300] [--seed 1] [--json out.json]
 *
 * The fake OpenAI-compatible model (in this process, so its chunks are stamped on this clock,
 * with OPENAI_COMPATIBLE_CONTINUE=true: it continues a final assistant message exactly, as vLLM
 * does) and TWO app servers (`next start`, the production defaults: LEASE_MS is left unset)
 * on one fresh database. Where root and Debian's pg_createcluster are at hand the database is
 * on a throwaway cluster that preloads pg_stat_statements (as bench/writes.ts does), else on
 * DATABASE_URL's server, and the writes are then counted only if that server preloads it.
 *
 * Each round: a long answer (`--chars` of numbered words, 5 characters a chunk every `--delay`
 * ms, after `--ttft` ms: a real model's time to first token, before the continuation's first
 * chunk too, so the stall includes it; the fake's own is ~0) is sent through server A, which
 * generates it (POST /send's after()). A client polls its tokens through server B every
 * `--poll-ms` as the browser does (GET /chat/message/{uuid}/tokens/{position}, fixed cadence
 * from a random phase, never two at once, applying `append`). At a random point (15% to 55%
 * of the answer's streaming time after the client first holds text) A gets SIGKILL. B's next
 * poll after A's lease ran out claims the request (attempt 2) and continues the stored text.
 * Measured:
 *
 *   stall = the kill -> the client first holds text beyond what A had stored (the continued
 *           text; what A stored but the client had not fetched yet does not count);
 *   gap   = the last new text the client got before the kill -> the same moment;
 *   where the stall went: A's lease left at the kill (lease_until read once A is dead), lease
 *   expiry -> the model is asked to continue (B's poll notices, dispatches, claims, prepares),
 *   -> its first chunk, -> the client holds it.
 *
 * The client's final text and the stored message must equal the scripted text: characters
 * lost or doubled are counted (what remains of each after their common prefix and suffix),
 * and so are `append: false` answers (replacements) and attempts other than exactly 2.
 * Writes: the runner's statements (chunk inserts, lease renewals, first-token updates) from
 * pg_stat_statements, sampled every second, over the seconds in which one server was
 * generating normally (A from its first chunk to the kill; B from its first continued chunk
 * to the end). One answer at a time, so per second is per generating answer.
 *
 * One unmeasured round first (B loads its code and prepares statements on first use); a fresh
 * A is started after every kill. Exit 1 when a goal is missed: p95 stall <= 3000 ms, 0 lost
 * or doubled characters, 0 replacements, <= 10 writes/s per generating answer (the mean).
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { createTestDatabase, removeDataDir, startAppServer, testAppEnv, type AppServer } from "../test/support/app-server.ts";
import { startFakeOpenAI } from "../test/support/fake-openai.ts";
import { invariantViolations } from "../test/support/invariants.ts";
import { createThrowawayCluster, throwawayClusterUnavailable, type ThrowawayCluster } from "../test/support/pg-cluster.ts";
import { BENCH_ENV, answerTo, createChat, messagesAfter, now, percentile, send, signUp, sleep, tokens, type TestClient } from "./lib/harness.ts";
import { STREAMING_WRITES, streamingWrites, writeStatements } from "./lib/statements.ts";
import { seededRandom } from "../lib/random.ts";

const { values } = parseArgs({
  options: {
    kills: { type: "string", default: "20" },
    chars: { type: "string", default: "1500" },
    delay: { type: "string", default: "20" },
    ttft: { type: "string", default: "0" },
    "poll-ms": { type: "string", default: "300" },
    seed: { type: "string", default: "1" },
    json: { type: "string" },
  },
  strict: true,
});
const kills = Number(values.kills);
const chars = Number(values.chars);
const delay = Number(values.delay);
const ttft = Number(values.ttft);
const pollMs = Number(values["poll-ms"]);
const CHUNK = 5;
const GOAL_P95_MS = 3_000;
const GOAL_WRITES_PER_S = 10;
/** A round that takes longer than this has hung: the bench fails rather than wait forever. */
const ROUND_TIMEOUT_MS = 60_000;

if (!process.env.DATABASE_URL) {
  console.error("resume: needs DATABASE_URL (a PostgreSQL server): two app servers share one database, which PGlite cannot do.");
  process.exit(2);
}

// mulberry32 (lib/random.ts): the kill points and poll phases repeat with the same --seed.
const random = seededRandom(Number(values.seed));

/** Numbered words, unique to the round: a lost or doubled stretch cannot hide in a repetition. */
function scriptedText(round: number): string {
  let out = "";
  for (let i = 0; out.length < chars; i++) out += `r${round}w${String(i).padStart(4, "0")} `;
  return out.slice(0, chars);
}

const codePoints = (s: string) => [...s].length;

/** What remains of `expected` and `got` once their common prefix and suffix are taken off. */
function lostAndDoubled(expected: string, got: string): { lost: number; doubled: number } {
  if (expected === got) return { lost: 0, doubled: 0 };
  const e = [...expected];
  const g = [...got];
  let p = 0;
  while (p < e.length && p < g.length && e[p] === g[p]) p++;
  let s = 0;
  while (s < e.length - p && s < g.length - p && e[e.length - 1 - s] === g[g.length - 1 - s]) s++;
  return { lost: e.length - p - s, doubled: g.length - p - s };
}

// ---------------------------------------------------------------------------------------------
// The stack: the cluster (if it can be made), the fake model, the database, two servers.

const noCluster = throwawayClusterUnavailable();
const cluster: ThrowawayCluster | undefined = noCluster
  ? undefined
  : await createThrowawayCluster({ shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.track": "all" });

/** The fake's chunks of each answer (by the id after the directive), as they left it. */
const emitted = new Map<string, number[]>();
const fake = await startFakeOpenAI({
  onChunk: (e) => {
    const list = emitted.get(e.message) ?? [];
    list.push(e.at);
    emitted.set(e.message, list);
  },
});
const db = await createTestDatabase(cluster?.url ?? process.env.DATABASE_URL);
if (!("url" in db)) throw new Error("expected a PostgreSQL database");
const baseEnv = testAppEnv(db, fake.url);
// The production defaults (LEASE_MS unset, so the app's own), and the continuation by prefill.
const appEnv: Record<string, string | undefined> = { ...baseEnv, ...BENCH_ENV, OPENAI_COMPATIBLE_CONTINUE: "true" };
const sql = postgres(db.url, { max: 2, onnotice: () => {} });

let a: AppServer | undefined;
let b: AppServer | undefined;
let sampling = false;
let sampler: Promise<void> = Promise.resolve();
let failed = false;
try {
  // pg_stat_statements answers only where it is preloaded.
  let writesUnavailable: string | undefined;
  try {
    await sql`create extension if not exists pg_stat_statements`;
    await sql`select pg_stat_statements_reset()`;
  } catch (err) {
    writesUnavailable = `pg_stat_statements is not usable (${(err as Error).message.split("\n")[0]}); ${noCluster ? `no throwaway cluster: ${noCluster}` : ""}`;
  }

  [a, b] = await Promise.all([startAppServer({ env: appEnv }), startAppServer({ env: appEnv })]);
  const client = await signUp(b.url);
  const viaB = client.at(b.url);
  let viaA = client.at(a.url);

  // The runner's writes, sampled every second for the whole run (drift-free schedule).
  const samples: { at: number; total: number; byKind: Record<string, number> }[] = [];
  if (!writesUnavailable) {
    sampling = true;
    sampler = (async () => {
      for (let t = now(); sampling; ) {
        const w = await writeStatements(sql);
        samples.push({ at: now(), total: streamingWrites(w), byKind: w });
        t += 1000;
        await sleep(Math.max(0, t - now()));
      }
    })();
  }

  /** Waits for the next tick of a fixed-cadence timer (React Query's refetchInterval). */
  async function nextTick(last: number): Promise<number> {
    const due = last + pollMs;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    return Math.max(due, now());
  }

  interface Round {
    round: number;
    chars: number;
    killDelayMs: number;
    killedAtChars: number;
    clientAtKill: number;
    carried: number;
    attempt: number;
    status: string;
    resumedBy: string | null;
    stallMs: number;
    gapMs: number;
    leaseLeftMs: number;
    expiryToModelMs: number;
    modelToChunkMs: number;
    chunkToClientMs: number;
    replacements: number;
    positionErrors: number;
    lost: number;
    doubled: number;
    storedLost: number;
    storedDoubled: number;
    windows: [number, number][];
  }

  async function round(n: number, viaA: TestClient, server: AppServer): Promise<Round> {
    const id = `resume-${n}-${Date.now()}`;
    const expected = scriptedText(n);
    const chat = await createChat(viaA);
    const asked = await send(viaA, chat, `[[fake text="${expected}" chunk=${CHUNK} delay=${delay} ttft=${ttft}]] ${id}`);
    const answer = await answerTo(viaB, chat, asked.uuid);
    const started = now();

    let text = answer.content;
    let position = answer.position;
    let status = answer.status;
    let replacements = 0;
    let positionErrors = 0;
    const held: { at: number; position: number }[] = position > 0 ? [{ at: now(), position }] : [];

    const streamingMs = (chars / CHUNK) * delay;
    const killDelayMs = (0.15 + 0.4 * random()) * streamingMs;
    let kill: { at: number; wallOffset: number; lastBefore: number; clientAt: number } | undefined;
    const killer = (async () => {
      while (!held.some((h) => h.position > 0)) {
        if (now() - started > ROUND_TIMEOUT_MS) throw new Error(`round ${n}: no text within ${ROUND_TIMEOUT_MS} ms`);
        await sleep(5);
      }
      await sleep(Math.max(0, held.find((h) => h.position > 0)!.at + killDelayMs - now()));
      const at = now();
      kill = { at, wallOffset: Date.now() - at, lastBefore: held.at(-1)!.at, clientAt: position };
      await server.stop("SIGKILL");
      // A is dead: its lease is what it last wrote.
      const [row] = await sql<{ attempt: number; lease_until: Date | null; status: string }[]>`
        select attempt, lease_until, status from llm_request where response_message_uuid = ${answer.uuid}`;
      return row;
    })();

    let tick = now() - random() * pollMs;
    while (status === "pending") {
      if (now() - started > ROUND_TIMEOUT_MS) throw new Error(`round ${n}: the answer was not final within ${ROUND_TIMEOUT_MS} ms (status ${status}, position ${position})`);
      tick = await nextTick(tick);
      const t = await tokens(viaB, answer.uuid, position);
      if (t.append) {
        if (t.position !== position + codePoints(t.tokens)) positionErrors++;
        text += t.tokens;
      } else {
        replacements++;
        text = t.tokens;
      }
      if (t.position !== position) held.push({ at: now(), position: t.position });
      position = t.position;
      status = t.status;
    }
    const atKill = await killer;
    if (!kill || !atKill) throw new Error(`round ${n}: no kill`);
    const k = kill;

    const [request] = await sql<{ attempt: number; status: string; carried_chars: number; resumed_by: string | null }[]>`
      select attempt, status, carried_chars, resumed_by from llm_request where response_message_uuid = ${answer.uuid}`;
    if (!request) throw new Error(`round ${n}: no request`);
    const stored = (await messagesAfter(viaB, chat, asked.uuid)).find((m) => m.uuid === answer.uuid)?.content ?? "";
    const { lost, doubled } = lostAndDoubled(expected, text);
    const storedDiff = lostAndDoubled(expected, stored);

    // The continued text reached the client: the first poll after the kill beyond what A stored.
    const carried = request.carried_chars;
    const resumed = held.find((h) => h.at > k.at && h.position > carried);
    const chunks = emitted.get(id) ?? [];
    const continuation = fake.requests.find((r) => r.receivedAt - k.wallOffset > k.at && r.messages.some((m) => m.content.includes(id)));
    const leaseUntil = atKill.lease_until ? atKill.lease_until.getTime() - k.wallOffset : NaN;
    // receivedAt is whole milliseconds of Date.now(). (The fake may still send A's dead stream a
    // chunk or two after the kill, before it sees the socket closed: those are not continued text.)
    const modelAsked = continuation ? continuation.receivedAt - k.wallOffset : NaN;
    const firstContinued = chunks.find((at) => at >= modelAsked - 1);
    const lastChunk = chunks.at(-1) ?? NaN;
    const resumedAt = resumed?.at ?? NaN;
    return {
      round: n,
      chars: codePoints(expected),
      killDelayMs,
      killedAtChars: carried,
      clientAtKill: k.clientAt,
      carried,
      attempt: request.attempt,
      status: request.status,
      resumedBy: request.resumed_by,
      stallMs: resumedAt - k.at,
      gapMs: resumedAt - k.lastBefore,
      leaseLeftMs: leaseUntil - k.at,
      expiryToModelMs: modelAsked - leaseUntil,
      modelToChunkMs: (firstContinued ?? NaN) - modelAsked,
      chunkToClientMs: resumedAt - (firstContinued ?? NaN),
      replacements,
      positionErrors,
      lost,
      doubled,
      storedLost: storedDiff.lost,
      storedDoubled: storedDiff.doubled,
      // When a server generated normally: A from its first chunk to the kill, B from its first
      // continued chunk to the last.
      windows: [
        [chunks[0] ?? NaN, k.at],
        [firstContinued ?? NaN, lastChunk],
      ],
    };
  }

  const rounds: Round[] = [];
  const f = (x: number) => (Number.isFinite(x) ? String(Math.round(x)) : "-");
  for (let n = 0; n <= kills; n++) {
    const r = await round(n, viaA, a);
    // A fresh A for the next round (B, the survivor, stays).
    if (n < kills) {
      a = await startAppServer({ env: appEnv });
      viaA = client.at(a.url);
    }
    if (n === 0) {
      console.log(`warm-up round (not measured): stall ${f(r.stallMs)} ms`);
      continue;
    }
    rounds.push(r);
    console.log(
      `round ${n}: killed ${f(r.killDelayMs)} ms into the text, A had stored ${r.carried} chars (client at ${r.clientAtKill}); stall ${f(r.stallMs)} ms = lease left ${f(r.leaseLeftMs)} + expiry -> model asked ${f(r.expiryToModelMs)} + -> first chunk ${f(r.modelToChunkMs)} + -> client ${f(r.chunkToClientMs)}; gap ${f(r.gapMs)} ms; attempt ${r.attempt} ${r.status} (${r.resumedBy ?? "-"}); lost ${r.lost}, doubled ${r.doubled}, replacements ${r.replacements}`,
    );
  }
  sampling = false;
  await sampler;

  // Writes: the sampled seconds that lie wholly within one server's normal generation.
  const windows = rounds.flatMap((r) => r.windows).filter(([s, e]) => Number.isFinite(s) && Number.isFinite(e));
  let writes = 0;
  let seconds = 0;
  let busiest = 0;
  const byKind: Record<string, number> = {};
  for (let i = 1; i < samples.length; i++) {
    const s0 = samples[i - 1]!;
    const s1 = samples[i]!;
    if (!windows.some(([s, e]) => s0.at >= s && s1.at <= e)) continue;
    const d = s1.total - s0.total;
    writes += d;
    seconds += (s1.at - s0.at) / 1000;
    busiest = Math.max(busiest, d);
    for (const kind of STREAMING_WRITES) byKind[kind] = (byKind[kind] ?? 0) + (s1.byKind[kind] ?? 0) - (s0.byKind[kind] ?? 0);
  }
  const writesPerSecond = seconds > 0 ? writes / seconds : NaN;

  const sorted = (key: keyof Round) => rounds.map((r) => r[key] as number).sort((x, y) => x - y);
  const stalls = sorted("stallMs");
  const row = (label: string, key: keyof Round, goal = "") => {
    const v = sorted(key);
    return `| ${label} | ${f(percentile(v, 50))} | ${f(percentile(v, 95))} | ${f(v.at(-1)!)} | ${goal} |`;
  };
  const sum = (key: keyof Round) => rounds.reduce((n, r) => n + (r[key] as number), 0);
  const lost = sum("lost") + sum("storedLost");
  const doubled = sum("doubled") + sum("storedDoubled");
  const replacements = sum("replacements");
  const notResumed = rounds.filter((r) => r.attempt !== 2 || r.status !== "completed" || !Number.isFinite(r.stallMs)).length;
  const violations = await invariantViolations(b.url);

  const p95 = percentile(stalls, 95);
  const goals = {
    stall: Number.isFinite(p95) && p95 <= GOAL_P95_MS && stalls.every(Number.isFinite),
    text: lost === 0 && doubled === 0 && sum("positionErrors") === 0 && notResumed === 0 && violations.length === 0,
    replacements: replacements === 0,
    writes: writesUnavailable ? undefined : writesPerSecond <= GOAL_WRITES_PER_S,
  };
  const met = (ok: boolean | undefined) => (ok === undefined ? "not measured" : ok ? "MET" : "NOT MET");

  console.log(
    `\n## Crash to resumed text (PostgreSQL${cluster ? ` ${cluster.name}` : ""}, 2 servers, LEASE_MS unset (the app's default), ${rounds.length} kills, ${chars}-character answers at ${((CHUNK * 1000) / delay).toFixed(0)} chars/s, the model's TTFT ${ttft} ms, poll ${pollMs} ms)\n`,
  );
  console.log(`Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}, Node ${process.version}; load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}.\n`);
  console.log("| ms | p50 | p95 | max | goal |");
  console.log("|---|---:|---:|---:|---|");
  console.log(row("**stall**: SIGKILL of A -> the client holds continued text (via B)", "stallMs", `p95 <= ${GOAL_P95_MS}: ${met(goals.stall)}`));
  console.log(row("gap: the last text before the kill -> continued text", "gapMs"));
  console.log(row("A's lease left at the kill", "leaseLeftMs"));
  console.log(row("lease expiry -> B asks the model to continue (a poll notices, claim, prepare)", "expiryToModelMs"));
  console.log(row("-> the model's first continued chunk", "modelToChunkMs"));
  console.log(row("-> the client holds it (write, next poll)", "chunkToClientMs"));
  console.log("");
  console.log("| correctness and writes | measured | goal |");
  console.log("|---|---:|---|");
  console.log(`| rounds resumed by attempt 2 and completed | ${rounds.length - notResumed} of ${rounds.length} (continued by ${[...new Set(rounds.map((r) => r.resumedBy ?? "-"))].join(", ")}) | all |`);
  console.log(`| characters lost (client text + stored message) | ${lost} | 0: ${met(lost === 0)} |`);
  console.log(`| characters doubled (client text + stored message) | ${doubled} | 0: ${met(doubled === 0)} |`);
  console.log(`| \`append: false\` replacements | ${replacements} | 0: ${met(goals.replacements)} |`);
  console.log(`| \`append: true\` answers whose position is not the old one plus the tokens | ${sum("positionErrors")} | 0 |`);
  console.log(`| invariant violations (GET /api/ops/invariants) | ${violations.length} | 0 |`);
  if (writesUnavailable) {
    console.log(`| writes/s per generating answer | not measured: ${writesUnavailable} | <= ${GOAL_WRITES_PER_S} |`);
  } else {
    console.log(
      `| writes/s per generating answer: mean over ${seconds.toFixed(0)} sampled s of normal generation (busiest sampled second) | ${writesPerSecond.toFixed(2)} (${busiest}) | <= ${GOAL_WRITES_PER_S}: ${met(goals.writes)} |`,
    );
    console.log(`| of which chunk inserts (renewing the lease when due, the first one setting first_token_at) / lease renewals on their own / first-token updates on their own | ${byKind["chunk insert"] ?? 0} / ${byKind["lease renewal"] ?? 0} / ${byKind["first token"] ?? 0} | |`);
  }
  for (const v of violations) console.log(`\ninvariant violated: ${v.kind}: ${v.detail} ${JSON.stringify(v.ids)}`);
  const all = goals.stall && goals.text && goals.replacements && goals.writes !== false;
  console.log(`\ngoal (p95 stall <= ${GOAL_P95_MS} ms, 0 lost/doubled, 0 replacements, <= ${GOAL_WRITES_PER_S} writes/s): ${all ? "MET" : "NOT MET"}`);
  failed = !all;
  if (values.json) {
    writeFileSync(values.json, `${JSON.stringify({ kills, chars, delay, ttft, pollMs, seed: Number(values.seed), rounds, writes: { writesPerSecond, busiest, seconds, byKind, writesUnavailable }, goals }, null, 2)}\n`);
  }
} finally {
  sampling = false;
  await sampler.catch(() => {});
  await sql.end({ timeout: 5 });
  await Promise.all([a?.stop(), b?.stop()]);
  await fake.close();
  await db.drop();
  removeDataDir(baseEnv);
  cluster?.drop();
}
process.exit(failed ? 1 : 0);
