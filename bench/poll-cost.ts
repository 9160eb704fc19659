/**
 * Goal 1, poll cost: the two polls, signed in, against an empty route handler of the same app,
 * side by side (wrk, loopback). Needs a build (npm run build) and wrk.
 *
 *   node bench/poll-cost.ts [--seconds 5] [--rounds 3] [--connections 16] [--no-fast-path] [--profile DIR] [--json out.json]
 *
 * Endpoints, measured in rounds (each round runs each endpoint once, in turn, starting one
 * further along each round, so that load from elsewhere on the machine hits them alike). An
 * endpoint's ratio is the median over the rounds of its req/s against the empty handler's in the
 * same round (on a noisy 2-core VM the empty handler alone varies by 50% between rounds; the
 * ratio of neighbours much less); its req/s and latencies are the median round:
 *   empty     GET /api/bench/empty                           no session, no database
 *   guard     GET /api/bench/session                         the guard alone (session decoding)
 *   messages  GET /chat/{c}/messages/{last}                  a poll with no news
 *   tokens    GET /chat/message/{m}/tokens/{position}        a pending answer, nothing new yet
 *   tokens-parts  the same with ?parts=0 (what the browser asks since answers have parts)
 * and, on PostgreSQL (DATABASE_URL), the floor (issue #19, goal 1): a bare node:http +
 * postgres.js server (bench/lib/floor-server.ts, a process of its own on the same database)
 * asking the same two statements for the same user, chat, message and position:
 *   floor-messages  the messages poll's statement
 *   floor-tokens    the tokens poll's statement
 * Each poll's ratio to its floor is the median over the rounds of messages / floor-messages
 * (tokens / floor-tokens) in the same round. Goal 1: both >= 0.5 (0.8 the moonshot).
 * --no-fast-path runs the app with POLL_FAST_PATH=false (the polls through Next's Pages routes).
 * --profile DIR runs the server with --cpu-prof and prints where its CPU time went.
 */
import { readdirSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual, parseArgs } from "node:util";
import { dbLabel, median, pollEndpoints, signUp, startStack } from "./lib/harness.ts";
import { requireWrk, wrk, type WrkResult } from "./lib/wrk.ts";
import { summarizeProfile } from "./lib/profile.ts";
import { startFloorServer, type FloorServer } from "./lib/floor-server.ts";
import postgres from "postgres";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "16" },
    "no-fast-path": { type: "boolean", default: false },
    profile: { type: "string" },
    json: { type: "string" },
  },
  strict: true,
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);

export interface PollCostResult {
  db: string;
  fastPath: boolean;
  seconds: number;
  rounds: number;
  connections: number;
  endpoints: Record<string, { rps: number; p50: number; p99: number; errors: number; ratio: number; runs: number[] }>;
  /** Each poll's req/s over its floor's (median over the rounds of the same round's ratio). */
  vsFloor?: { messages: number; tokens: number };
}

requireWrk();
const profileDir = values.profile ? path.resolve(values.profile) : undefined;
if (profileDir) mkdirSync(profileDir, { recursive: true });
const fastPath = !values["no-fast-path"];
const stack = await startStack({
  env: {
    ...(profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
    ...(fastPath ? {} : { POLL_FAST_PATH: "false" }),
  },
});
let floor: FloorServer | undefined;
try {
  const client = await signUp(stack.app.url);
  const cookie = client.jar.header();

  const { endpoints: paths, pendingAnswer } = await pollEndpoints(client);
  const endpoints: Record<string, string> = Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, stack.app.url + p]));
  // The browser's tokens poll asks for the answer's parts too (docs/design.md §3.11): its own statement.
  endpoints["tokens-parts"] = `${endpoints.tokens!}?parts=0`;
  if (stack.databaseUrl) {
    // The floor asks for the signed-in user's chat and message: the same paths, another server.
    const db = postgres(stack.databaseUrl, { max: 1, onnotice: () => {} });
    const [member] = await db<{ user_id: string }[]>`
      select cm.user_id from chat_message m join chat_member cm on cm.chat_uuid = m.chat_uuid where m.uuid = ${pendingAnswer}::uuid`;
    await db.end();
    floor = await startFloorServer({ databaseUrl: stack.databaseUrl, userId: member!.user_id });
    endpoints["floor-messages"] = floor.url + paths.messages!;
    endpoints["floor-tokens"] = floor.url + paths.tokens!;
    // The same question, the same answer: else the floor measures something else.
    for (const poll of ["messages", "tokens"]) {
      const [app, bare] = await Promise.all([endpoints[poll]!, endpoints[`floor-${poll}`]!].map(async (url) => (await fetch(url, { headers: { cookie } })).text()));
      if (!isDeepStrictEqual(JSON.parse(app!), JSON.parse(bare!))) throw new Error(`the floor's ${poll} answer differs from the app's:\n${app}\n${bare}`);
    }
  } else {
    console.log("[poll-cost] no DATABASE_URL: the floor server (PostgreSQL only) is left out");
  }
  const runs: Record<string, WrkResult[]> = Object.fromEntries(Object.keys(endpoints).map((k) => [k, []]));
  const headers = { cookie };
  for (const url of Object.values(endpoints)) await wrk(url, { seconds: 2, connections, headers }); // warm up
  const names = Object.keys(endpoints);
  for (let r = 0; r < rounds; r++) {
    for (const name of [...names.slice(r % names.length), ...names.slice(0, r % names.length)]) {
      const result = await wrk(endpoints[name]!, { seconds, connections, headers });
      runs[name]!.push(result);
      console.log(`[poll-cost] round ${r + 1} ${name.padEnd(14)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms  errors ${result.non2xx + result.socketErrors}`);
    }
  }
  const emptyRuns = runs.empty!.map((x) => x.rps);
  const result: PollCostResult = { db: dbLabel(), fastPath, seconds, rounds, connections, endpoints: {} };
  for (const [name, list] of Object.entries(runs)) {
    const rps = median(list.map((x) => x.rps));
    result.endpoints[name] = {
      rps,
      p50: median(list.map((x) => x.p50)),
      p99: median(list.map((x) => x.p99)),
      errors: list.reduce((n, x) => n + x.non2xx + x.socketErrors, 0),
      ratio: median(list.map((x, i) => x.rps / emptyRuns[i]!)),
      runs: list.map((x) => Math.round(x.rps)),
    };
  }
  console.log(`\n## Poll cost (${result.db}, fast path ${fastPath ? "on" : "off"}, wrk -t1 -c${connections}, ${rounds} rounds of ${seconds} s, median)\n`);
  console.log("| endpoint | req/s | vs empty (median of rounds) | p50 ms | p99 ms | errors | rounds (req/s) |");
  console.log("|---|---:|---:|---:|---:|---:|---|");
  for (const [name, e] of Object.entries(result.endpoints)) {
    console.log(`| ${name} | ${e.rps.toFixed(0)} | ${(e.ratio * 100).toFixed(0)}% | ${e.p50.toFixed(1)} | ${e.p99.toFixed(1)} | ${e.errors} | ${e.runs.join(", ")} |`);
  }
  const worst = Math.min(result.endpoints.messages!.ratio, result.endpoints.tokens!.ratio);
  console.log(`\ngoal 1 (both polls >= 85% of empty): ${worst >= 0.85 ? "MET" : "NOT MET"} (worst ${(worst * 100).toFixed(0)}%)`);
  if (floor) {
    const vs = (poll: string) => median(runs[poll]!.map((x, i) => x.rps / runs[`floor-${poll}`]![i]!.rps));
    result.vsFloor = { messages: vs("messages"), tokens: vs("tokens") };
    const { tokens: t, messages: m } = result.vsFloor;
    console.log(`goal 1 (#19): both polls >= 0.5 of the floor: ${Math.min(t, m) >= 0.5 ? "MET" : "NOT MET"} (tokens ${t.toFixed(2)}, messages ${m.toFixed(2)})${Math.min(t, m) >= 0.8 ? " (moonshot 0.8 reached)" : ""}`);
  }
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  // Nothing in progress at shutdown: the server exits at once (and writes its --cpu-prof).
  await (await client.post(`/chat/message/${pendingAnswer}/cancel`)).arrayBuffer();
} finally {
  await floor?.stop();
  await stack.stop();
}
if (profileDir) {
  const files = readdirSync(profileDir).filter((f) => f.endsWith(".cpuprofile"));
  for (const f of files) console.log(`\n### ${f}\n${summarizeProfile(path.join(profileDir, f))}`);
}
