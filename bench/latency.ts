/**
 * Goals 3 and 4: token latency and time-to-first-token overhead, as a polling client sees them.
 * Needs a build.
 *
 *   node bench/latency.ts [--answers 20] [--concurrency 5] [--tps 20] [--tokens 60] [--ttft 300] [--poll-ms 300] [--json out.json]
 *
 * Each simulated client does what the browser does (client/messages.ts, stream.ts): after
 * POST /send it polls the messages after its own every `poll-ms` (starting at a random phase,
 * since the browser's poll timer was already running) until the answer appears, then polls
 * the answer's tokens by position every `poll-ms` until it is final. The fake model, in this
 * process, reports when each chunk leaves it (same clock), so:
 *   token latency = when the client first holds a chunk's last character - when it left the model
 *   TTFT overhead = (client holds the first character - POST /send began) - (the model's own
 *                   time to first token: its first chunk - the request's arrival)
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createChat, dbLabel, median, messagesAfter, now, percentile, send, signUp, sleep, startStack, tokens, type TestClient } from "./lib/harness.ts";

const { values } = parseArgs({
  options: {
    answers: { type: "string", default: "20" },
    concurrency: { type: "string", default: "5" },
    tps: { type: "string", default: "20" },
    tokens: { type: "string", default: "60" },
    ttft: { type: "string", default: "300" },
    "poll-ms": { type: "string", default: "300" },
    json: { type: "string" },
  },
  strict: true,
});
const answers = Number(values.answers);
const concurrency = Number(values.concurrency);
const tps = Number(values.tps);
const tokenCount = Number(values.tokens);
const ttft = Number(values.ttft);
const pollMs = Number(values["poll-ms"]);
const CHUNK = 5;

const chunks = new Map<string, number[]>(); // id -> emission time of each chunk
const stack = await startStack({
  onChunk: (e) => {
    const list = chunks.get(e.message) ?? [];
    list[e.index] = e.at;
    chunks.set(e.message, list);
  },
});

/** Waits for the next tick of a fixed-cadence timer (like React Query's refetchInterval). */
async function nextTick(last: number): Promise<number> {
  const due = last + pollMs;
  const wait = due - now();
  if (wait > 0) await sleep(wait);
  return Math.max(due, now());
}

async function oneAnswer(client: TestClient, n: number): Promise<{ latencies: number[]; ttftOverhead: number; toModel: number; toClient: number }> {
  const id = `lat-${n}-${Date.now()}`;
  const chat = await createChat(client);
  const sentAt = now();
  const asked = await send(client, chat, `[[fake text="abcde" repeat=${tokenCount} chunk=${CHUNK} tps=${tps} ttft=${ttft}]] ${id}`);
  // Each time the client holds more text: (position, when).
  const held: { position: number; at: number }[] = [];
  let tick = sentAt - Math.random() * pollMs;
  let answerUuid: string | undefined;
  while (!answerUuid) {
    tick = await nextTick(tick);
    const found = (await messagesAfter(client, chat, asked.uuid)).find((m) => m.role === "assistant");
    if (found) {
      answerUuid = found.uuid;
      if (found.position > 0) held.push({ position: found.position, at: now() });
    }
  }
  let position = held[0]?.position ?? 0;
  for (let status = "pending"; status === "pending"; ) {
    const t = await tokens(client, answerUuid, position);
    if (t.position > position) held.push({ position: t.position, at: now() });
    position = t.position;
    status = t.status;
    if (status === "pending") tick = await nextTick(tick);
  }
  const emitted = chunks.get(id) ?? [];
  const request = stack.fake.requests.find((r) => r.messages.at(-1)?.content.includes(id));
  if (!request || emitted.length !== tokenCount) throw new Error(`answer ${id}: ${emitted.length} chunks seen of ${tokenCount}`);
  const latencies = emitted.map((at, i) => {
    const end = (i + 1) * CHUNK;
    const got = held.find((h) => h.position >= end);
    if (!got) throw new Error(`answer ${id}: chunk ${i} never reached the client`);
    return got.at - at;
  });
  const upstreamTtft = emitted[0]! - request.receivedAt;
  const ttftOverhead = held[0]!.at - sentAt - upstreamTtft;
  // Where the overhead goes: send -> the model is asked; the first chunk -> the client holds it.
  return { latencies, ttftOverhead, toModel: request.receivedAt - sentAt, toClient: held[0]!.at - emitted[0]! };
}

try {
  const clients = await Promise.all(Array.from({ length: concurrency }, () => signUp(stack.app.url)));
  // Warm-up, not measured: the server loads each route's code and prepares its statements on
  // first use (the first answers of a fresh process wait 100-300 ms longer for that).
  await Promise.all(clients.map((client, i) => oneAnswer(client, -1 - i)));
  chunks.clear();
  const latencies: number[] = [];
  const overheads: number[] = [];
  const toModel: number[] = [];
  const toClient: number[] = [];
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < answers) {
        const r = await oneAnswer(client, next++);
        latencies.push(...r.latencies);
        overheads.push(r.ttftOverhead);
        toModel.push(r.toModel);
        toClient.push(r.toClient);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  overheads.sort((a, b) => a - b);
  const result = {
    db: dbLabel(),
    answers,
    concurrency,
    tps,
    pollMs,
    tokenLatency: { samples: latencies.length, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies.at(-1) },
    ttftOverhead: { samples: overheads.length, p50: percentile(overheads, 50), p95: percentile(overheads, 95), max: overheads.at(-1) },
    sendToModel: { p50: median(toModel), p95: percentile([...toModel].sort((a, b) => a - b), 95), max: Math.max(...toModel) },
    firstChunkToClient: { p50: median(toClient), p95: percentile([...toClient].sort((a, b) => a - b), 95), max: Math.max(...toClient) },
  };
  const f = (x: number | undefined) => (x ?? NaN).toFixed(0);
  console.log(`\n## Token latency and TTFT overhead (${result.db}, ${answers} answers, ${concurrency} at a time, ${tps} tokens/s, poll ${pollMs} ms)\n`);
  console.log("| measure | samples | p50 ms | p95 ms | p99 ms | max ms | goal |");
  console.log("|---|---:|---:|---:|---:|---:|---|");
  const t = result.tokenLatency;
  const o = result.ttftOverhead;
  console.log(`| token latency (model -> client) | ${t.samples} | ${f(t.p50)} | ${f(t.p95)} | ${f(t.p99)} | ${f(t.max)} | p50 <= 220, p95 <= 420: ${t.p50 <= 220 && t.p95 <= 420 ? "MET" : "NOT MET"} |`);
  console.log(`| TTFT overhead (send -> client, minus the model's TTFT) | ${o.samples} | ${f(o.p50)} | ${f(o.p95)} | | ${f(o.max)} | p95 < 400: ${o.p95 < 400 ? "MET" : "NOT MET"} |`);
  console.log(`\nTTFT overhead, split (p50 / p95 / max): POST /send -> the model is asked ${f(result.sendToModel.p50)} / ${f(result.sendToModel.p95)} / ${f(result.sendToModel.max)} ms; its first chunk -> the client holds it ${f(result.firstChunkToClient.p50)} / ${f(result.firstChunkToClient.p95)} / ${f(result.firstChunkToClient.max)} ms`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await stack.stop();
}
