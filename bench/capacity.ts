/**
 * Goal 5, the capacity curve: how many polling clients the server holds with p99 poll latency
 * under 100 ms while answers generate. Needs a build (and Chromium for the PNG).
 *
 *   node bench/capacity.ts [--steps 25,50,100,200] [--seconds 10] [--generating 50] [--tps 10]
 *                          [--users 10] [--poll-ms 300] [--driver wrk|node] [--png bench/capacity.png] [--json out.json]
 *                          [--profile DIR] [--warmup 5]
 *
 * `generating` answers stream for the whole run (the fake model at `tps` chunks of 5
 * characters a second). At each step N clients run for `seconds`: every `poll-ms` (own random
 * phase) each polls the messages after the last one of its chat (no news) and the tokens of
 * that chat's pending answer from its own position, as the browser does. Client i watches
 * chat i mod `generating`, so beyond `generating` clients several watch the same answer (two
 * tabs, two devices). Recorded per step: both polls' p50/p99 latency and errors.
 *
 * --driver wrk (the default when wrk is installed): the clients are wrk threads
 * (bench/lib/capacity-wrk.ts), cheap enough to leave the server its CPU. --driver node: this
 * process's own HTTP client, which shares the 2 cores with the server: a conservative curve.
 *
 * --warmup S (wrk only): before the first step, S seconds at the largest step's load, not
 * recorded: the server compiles its hot paths and wrk opens its connections (a run's first
 * step used to be its worst: bench/RESULTS.md). 0: none.
 *
 * --profile DIR runs the server with --cpu-prof and prints where its CPU time went (the whole
 * run, set-up included).
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { answerTo, createChat, dbLabel, now, percentile, send, signUp, sleep, startStack, type TestClient } from "./lib/harness.ts";
import { lineChartSvg, svgToPng } from "./lib/chart.ts";
import { wrkStep } from "./lib/capacity-wrk.ts";
import { summarizeProfile } from "./lib/profile.ts";
import { spawnSync } from "node:child_process";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "25,50,100,200" },
    seconds: { type: "string", default: "10" },
    generating: { type: "string", default: "50" },
    tps: { type: "string", default: "10" },
    users: { type: "string", default: "10" },
    "poll-ms": { type: "string", default: "300" },
    driver: { type: "string" },
    png: { type: "string" },
    json: { type: "string" },
    profile: { type: "string" },
    warmup: { type: "string", default: "5" },
  },
  strict: true,
});
const steps = values.steps.split(",").map(Number);
const seconds = Number(values.seconds);
const generating = Number(values.generating);
const tps = Number(values.tps);
const pollMs = Number(values["poll-ms"]);
const driver = values.driver ?? (spawnSync("wrk", ["--version"]).error ? "node" : "wrk");
if (driver !== "wrk" && driver !== "node") throw new Error("--driver is wrk or node");

interface Watched {
  client: TestClient;
  chat: string;
  answer: string;
}

interface Step {
  clients: number;
  polls: number;
  pollsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

const profileDir = values.profile ? path.resolve(values.profile) : undefined;
if (profileDir) mkdirSync(profileDir, { recursive: true });
const stack = await startStack(profileDir ? { env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } } : {});
const steps_: Step[] = [];
try {
  const users = await Promise.all(Array.from({ length: Number(values.users) }, () => signUp(stack.app.url)));
  // Long enough to outlast every step.
  const tokens = Math.ceil(tps * ((steps.length + 1) * (seconds + 5) + Number(values.warmup) + 60));
  const watched: Watched[] = [];
  for (let i = 0; i < generating; i++) {
    const client = users[i % users.length]!;
    const chat = await createChat(client);
    const asked = await send(client, chat, `[[fake text="token" repeat=${tokens} chunk=5 tps=${tps}]] cap-${i}`);
    watched.push({ client, chat, answer: "" });
    watched[i]!.answer = (await answerTo(client, chat, asked.uuid)).uuid;
  }
  console.log(`[capacity] ${generating} answers generating at ${tps} tokens/s (${dbLabel()}), clients driven by ${driver}`);

  const warmup = Number(values.warmup);
  if (driver === "wrk" && warmup > 0) {
    const n = Math.max(...steps);
    const r = await wrkStep(stack.app.url, watched.map((w) => ({ cookie: w.client.jar.header(), chat: w.chat, answer: w.answer })), n, warmup, pollMs);
    console.log(`[capacity] warm-up, ${n} clients for ${warmup} s (not recorded): ${r.pollsPerSecond.toFixed(0)} polls/s, p99 ${r.p99.toFixed(1)} ms`);
  }
  for (const n of steps) {
    if (driver === "wrk") {
      const r = await wrkStep(stack.app.url, watched.map((w) => ({ cookie: w.client.jar.header(), chat: w.chat, answer: w.answer })), n, seconds, pollMs);
      steps_.push({ clients: n, ...r });
      console.log(`[capacity] ${n} clients: ${r.pollsPerSecond.toFixed(0)} polls/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, errors ${r.errors}`);
      continue;
    }
    const latencies: number[] = [];
    let errors = 0;
    const end = now() + seconds * 1000;
    const timed = async (client: TestClient, path: string): Promise<unknown> => {
      const t0 = now();
      try {
        const res = await client.get(path, { signal: AbortSignal.timeout(10_000) });
        const body = (await res.json()) as unknown;
        latencies.push(now() - t0);
        if (res.status !== 200) errors++;
        return body;
      } catch {
        errors++;
        return undefined;
      }
    };
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const w = watched[i % watched.length]!;
        let position = 0;
        await sleep(Math.random() * pollMs);
        for (let tick = now(); tick < end; ) {
          const [, t] = await Promise.all([
            timed(w.client, `/chat/${w.chat}/messages/${w.answer}`),
            timed(w.client, `/chat/message/${w.answer}/tokens/${position}`) as Promise<{ position?: number } | undefined>,
          ]);
          if (typeof t?.position === "number") position = t.position;
          tick += pollMs;
          const wait = tick - now();
          if (wait > 0) await sleep(wait);
          else tick = now(); // fell behind: a browser's timer does not queue ticks either
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const step: Step = {
      clients: n,
      polls: latencies.length,
      pollsPerSecond: latencies.length / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      errors,
    };
    steps_.push(step);
    console.log(`[capacity] ${n} clients: ${step.pollsPerSecond.toFixed(0)} polls/s, p50 ${step.p50.toFixed(1)} ms, p99 ${step.p99.toFixed(1)} ms, errors ${errors}`);
  }
  for (const w of watched) await (await w.client.post(`/chat/message/${w.answer}/cancel`)).arrayBuffer();
} finally {
  await stack.stop();
}

const held = steps_.filter((s) => s.p99 < 100 && s.errors === 0).map((s) => s.clients);
console.log(`\n## Capacity (${dbLabel()}, ${generating} answers generating, poll every ${pollMs} ms, ${seconds} s a step, clients driven by ${driver})\n`);
console.log("| clients | polls/s | p50 ms | p99 ms | errors |");
console.log("|---:|---:|---:|---:|---:|");
for (const s of steps_) console.log(`| ${s.clients} | ${s.pollsPerSecond.toFixed(0)} | ${s.p50.toFixed(1)} | ${s.p99.toFixed(1)} | ${s.errors} |`);
console.log(`\nheld with p99 < 100 ms and no errors: ${held.length ? `${Math.max(...held)} clients` : "none of the steps"}`);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ db: dbLabel(), generating, tps, pollMs, seconds, steps: steps_ }, null, 2)}\n`);
if (values.png) {
  const svg = lineChartSvg({
    title: `PollChat capacity: polling clients vs poll latency (${generating} answers generating, ${dbLabel()})`,
    xLabel: `concurrent clients (each: 2 polls every ${pollMs} ms)`,
    yLabel: "poll latency (ms)",
    rightLabel: "errors",
    threshold: { y: 100, label: "p99 goal: 100 ms" },
    series: [
      { name: "p50", color: "#1f77b4", points: steps_.map((s) => ({ x: s.clients, y: s.p50 })) },
      { name: "p99", color: "#ff7f0e", points: steps_.map((s) => ({ x: s.clients, y: s.p99 })) },
      { name: "errors (right axis)", color: "#d62728", right: true, points: steps_.map((s) => ({ x: s.clients, y: s.errors })) },
    ],
  });
  await svgToPng(svg, values.png);
  console.log(`chart: ${values.png}`);
}
if (profileDir) {
  for (const f of readdirSync(profileDir).filter((f) => f.endsWith(".cpuprofile"))) console.log(`\n### ${f}\n${summarizeProfile(path.join(profileDir, f))}`);
}
