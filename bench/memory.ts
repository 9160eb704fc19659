/**
 * Goal 6, memory: the server's RSS over a run of steady generations (after() tasks, timers,
 * caches must not leak). Needs a build.
 *
 *   node bench/memory.ts [--minutes 10] [--per-minute 100] [--tokens 200] [--tps 100] [--json out.json]
 *
 * Every 60/per-minute seconds a client sends a message and polls the answer to its end at
 * 300 ms; RSS is read from GET /api/metrics (process_resident_memory_bytes) every 5 s, with
 * V8's heap in use and external memory (a leak shows as live objects growing; RSS alone also
 * grows while V8 sizes its heap up). The verdict compares the mean of the last tenth of the run
 * with the mean of the second tenth (the first is warm-up: code loading, JIT, pools filling):
 * flat means within 10%.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { answerTo, createChat, dbLabel, send, signUp, sleep, startStack, tokens, type TestClient } from "./lib/harness.ts";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    "per-minute": { type: "string", default: "100" },
    tokens: { type: "string", default: "200" },
    tps: { type: "string", default: "100" },
    json: { type: "string" },
  },
  strict: true,
});
const minutes = Number(values.minutes);
const perMinute = Number(values["per-minute"]);
const METRICS_TOKEN = "bench-metrics-token";

const stack = await startStack({ env: { METRICS_TOKEN } });
const samples: { s: number; rssMb: number; heapMb: number; externalMb: number }[] = [];
let done = 0;
let failed = 0;

async function sample(s: number): Promise<(typeof samples)[number]> {
  const res = await fetch(`${stack.app.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await res.text();
  const mb = (name: string) => {
    const m = new RegExp(`^${name} (\\d+(?:\\.\\d+)?(?:e\\+\\d+)?)`, "m").exec(text);
    if (!m) throw new Error(`no ${name} in /api/metrics (${res.status})`);
    return Number(m[1]) / 1024 / 1024;
  };
  return { s, rssMb: mb("process_resident_memory_bytes"), heapMb: mb("nodejs_heap_size_used_bytes"), externalMb: mb("nodejs_external_memory_bytes") };
}

async function generation(client: TestClient, n: number): Promise<void> {
  try {
    const chat = await createChat(client);
    const asked = await send(client, chat, `[[fake text="memory " repeat=${values.tokens} chunk=7 tps=${values.tps}]] mem-${n}`);
    const answer = await answerTo(client, chat, asked.uuid);
    let position = 0;
    for (;;) {
      const t = await tokens(client, answer.uuid, position);
      position = t.position;
      if (t.status !== "pending") break;
      await sleep(300);
    }
    done++;
  } catch {
    failed++;
  }
}

try {
  const clients = await Promise.all(Array.from({ length: 5 }, () => signUp(stack.app.url)));
  const start = Date.now();
  const end = start + minutes * 60_000;
  const running = new Set<Promise<void>>();
  const sampler = (async () => {
    while (Date.now() < end) {
      samples.push(await sample((Date.now() - start) / 1000));
      await sleep(5_000);
    }
  })();
  for (let n = 0; Date.now() < end; n++) {
    const p = generation(clients[n % clients.length]!, n).finally(() => running.delete(p));
    running.add(p);
    await sleep(60_000 / perMinute);
  }
  await sampler;
  await Promise.all(running);
  samples.push(await sample((Date.now() - start) / 1000));
} finally {
  await stack.stop();
}

const tenth = Math.max(1, Math.floor(samples.length / 10));
const mean = (xs: typeof samples, key: "rssMb" | "heapMb" | "externalMb" = "rssMb") => xs.reduce((a, b) => a + b[key], 0) / xs.length;
const baseline = mean(samples.slice(tenth, 2 * tenth));
const final = mean(samples.slice(-tenth));
const heapGrowth = mean(samples.slice(-tenth), "heapMb") / mean(samples.slice(tenth, 2 * tenth), "heapMb") - 1;
const growth = final / baseline - 1;
console.log(`\n## Memory (${dbLabel()}, ${minutes} min, ${perMinute} generations a minute)\n`);
console.log(`generations completed ${done}, failed ${failed}; RSS samples ${samples.length}`);
console.log(`RSS: start ${samples[0]?.rssMb.toFixed(0)} MB, after warm-up ${baseline.toFixed(0)} MB, end ${final.toFixed(0)} MB, max ${Math.max(...samples.map((x) => x.rssMb)).toFixed(0)} MB`);
console.log(`V8 heap in use: after warm-up ${mean(samples.slice(tenth, 2 * tenth), "heapMb").toFixed(0)} MB, end ${mean(samples.slice(-tenth), "heapMb").toFixed(0)} MB (${(heapGrowth * 100).toFixed(1)}%); external ${mean(samples.slice(-tenth), "externalMb").toFixed(0)} MB at the end`);
console.log("\n| minute | RSS MB | heap used MB | external MB |\n|---:|---:|---:|---:|");
for (let m = 0; m <= minutes; m += minutes >= 5 ? 1 : 0.25) {
  const at = samples.reduce((best, x) => (Math.abs(x.s - m * 60) < Math.abs(best.s - m * 60) ? x : best), samples[0]!);
  console.log(`| ${m} | ${at.rssMb.toFixed(0)} | ${at.heapMb.toFixed(0)} | ${at.externalMb.toFixed(0)} |`);
}
console.log(`growth after warm-up: ${(growth * 100).toFixed(1)}% (goal: within 10%): ${Math.abs(growth) <= 0.1 && failed === 0 ? "MET" : "NOT MET"}`);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ db: dbLabel(), minutes, perMinute, done, failed, baseline, final, growth, heapGrowth, samples }, null, 2)}\n`);
