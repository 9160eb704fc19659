/**
 * The soak test itself (bench/README.md): a fake model server, a fresh database and the BUILT
 * app, then N signed-up clients polling at 300 ms while at most G answers generate at once,
 * for D seconds. Everything is on 127.0.0.1; it stops by itself after D seconds plus a drain
 * window for the answers still in flight, and tears down what it started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { signUp, type TestClient } from "../../test/support/client.ts";
import { createTestDatabase, projectRoot, removeDataDir, startAppServer, testAppEnv, type AppServer, type TestDatabase } from "../../test/support/app-server.ts";
import { DEFAULT_SHAPE, planAnswer, type AnswerShape } from "./answers.ts";
import { seededRandom } from "../../lib/random.ts";
import { SimulatedClient, Slots, warmUp, type Run } from "./client.ts";
import { sampleMemory, Stats, type Endpoint, type LatencySummary, type MemorySample, type Problem } from "./stats.ts";

export interface SoakOptions {
  durationS: number;
  clients: number;
  generating: number;
  pollMs?: number;
  /** After the load phase, how long answers still in flight get to finish. */
  drainS?: number;
  seed?: number;
  shape?: AnswerShape;
  requestTimeoutMs?: number;
  memoryEveryMs?: number;
  /**
   * App servers on one database (PostgreSQL only): each client sends through one and polls
   * through the next, so every answer is generated on one server and read on another.
   */
  servers?: number;
  log?: (line: string) => void;
}

export interface SoakResult {
  ok: boolean;
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; platform: string; node: string; loadAverageAtStart: number[] };
  database: "PostgreSQL" | "PGlite";
  options: Required<Omit<SoakOptions, "log">>;
  elapsedS: number;
  requests: number;
  requestsPerS: number;
  errors: number;
  mismatches: number;
  answers: { sent: number; verified: number; replaced: number; perS: number; charsReceived: number };
  latencyMs: Record<Endpoint, LatencySummary>;
  serverMemoryMb: { start: number; peak: number; end: number; processes: number };
  loadGeneratorMemoryMb: { start: number; peak: number; end: number };
  eventLoopLagMs: { p50: number; p99: number; max: number };
  memorySamples: MemorySample[];
  problems: Problem[];
}

const LAG_RESOLUTION_MS = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startFakeModelServer(): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  // Its own process: streaming 50 answers must not share an event loop with the clients we time.
  const cli = path.join(projectRoot, "test", "support", "fake-openai-cli.ts");
  const child = spawn(process.execPath, [cli, "--port", "0", "--host", "127.0.0.1"], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the fake model server exited (code ${code})`)));
    lines.on("line", (line) => {
      const m = /listening on (\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

async function inBatches<T>(n: number, concurrency: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await make(i);
      }
    }),
  );
  return out;
}

export async function runSoak(input: SoakOptions): Promise<SoakResult> {
  const { log = () => {}, ...given } = input;
  const opts: SoakResult["options"] = {
    pollMs: 300,
    drainS: 60,
    seed: 1,
    shape: DEFAULT_SHAPE,
    requestTimeoutMs: 30_000,
    memoryEveryMs: 2_000,
    servers: 1,
    ...given,
  };
  const loadAverageAtStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
  let fake: Awaited<ReturnType<typeof startFakeModelServer>> | undefined;
  let db: TestDatabase | undefined;
  let env: Record<string, string | undefined> | undefined;
  let app: AppServer | undefined;
  const others: AppServer[] = [];
  try {
    fake = await startFakeModelServer();
    db = await createTestDatabase();
    env = {
      ...testAppEnv(db, fake.url),
      // No per-user limits (0 turns them off), and the production defaults for leases and
      // upstream deadlines rather than the short ones the fault tests use.
      RATE_LIMIT_MESSAGES_PER_HOUR: "0",
      RATE_LIMIT_CONCURRENT: "0",
      RATE_LIMIT_TOKENS_PER_DAY: "0",
      LEASE_MS: undefined,
      FIRST_TOKEN_TIMEOUT_MS: undefined,
      STALL_TIMEOUT_MS: undefined,
      QUEUED_GRACE_MS: undefined,
    };
    if (opts.servers > 1 && !("url" in db)) throw new Error("several servers need PostgreSQL (DATABASE_URL): an embedded database belongs to one process");
    app = await startAppServer({ env });
    for (let i = 1; i < opts.servers; i++) others.push(await startAppServer({ env }));
    const servers = [app, ...others];
    const database = "url" in db ? "PostgreSQL" : "PGlite";
    log(`app on ${servers.map((s) => s.url).join(", ")} (${database}), fake model on ${fake.url}; signing up ${opts.clients} clients`);

    let signedUp = 0;
    const accounts = await inBatches(opts.clients, 8, async () => {
      const http = await signUp(servers[signedUp++ % servers.length]!.url);
      const res = await http.post("/chat/create", { model: "compatible:fake-model" });
      if (res.status !== 201) throw new Error(`POST /chat/create answered ${res.status}: ${await res.text()}`);
      const { chat } = (await res.json()) as { chat: { uuid: string } };
      return { http, chatUuid: chat.uuid };
    });

    await warmUp(accounts[0]!.http, accounts[0]!.chatUuid);

    const stats = new Stats();
    const serverPid = app.child.pid!;
    const memory: MemorySample[] = [sampleMemory(serverPid, stats.startedAt)];
    const sampler = setInterval(() => memory.push(sampleMemory(serverPid, stats.startedAt)), opts.memoryEveryMs);
    const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    lag.enable();

    const rand = seededRandom(opts.seed);
    let messageNo = 0;
    let sending = true;
    let stopped = false;
    const slots = new Slots(opts.generating);
    const run: Run = {
      stats,
      slots,
      pollMs: opts.pollMs,
      requestTimeoutMs: opts.requestTimeoutMs,
      sending: () => sending,
      stopped: () => stopped,
      plan: (client) => planAnswer(rand, `c${client}-m${++messageNo}`, opts.shape),
    };
    const readerOf = (http: TestClient) => {
      const at = servers.findIndex((s) => s.url === http.baseUrl);
      return servers.length > 1 ? http.at(servers[(at + 1) % servers.length]!.url) : http;
    };
    const clients = accounts.map((a, i) => new SimulatedClient(a.http, a.chatUuid, i, run, readerOf(a.http)));
    log(`load: ${opts.clients} clients, ${opts.generating} generating, ${opts.durationS} s`);
    const loops = clients.map((c) => c.loop());

    const progress = setInterval(() => {
      const m = memory.at(-1)!;
      log(`${Math.round((performance.now() - stats.startedAt) / 1000)} s: ${stats.requests()} requests, ${stats.answersVerified} answers, ${stats.errors} errors, ${stats.mismatches} mismatches, server ${m.serverMb} MB`);
    }, 10_000);

    await sleep(opts.durationS * 1000);
    sending = false;
    slots.close();
    log(`load phase over; waiting up to ${opts.drainS} s for ${clients.filter((c) => c.hasOpenAnswer()).length} answers in flight`);
    const drained = Promise.all(clients.map((c) => c.settled()));
    const deadline = sleep(opts.drainS * 1000).then(() => "deadline" as const);
    if ((await Promise.race([drained, deadline])) === "deadline") for (const c of clients) c.abandon();
    stopped = true;
    await Promise.all(loops);
    const elapsedS = (performance.now() - stats.startedAt) / 1000;
    clearInterval(sampler);
    clearInterval(progress);
    lag.disable();
    memory.push(sampleMemory(serverPid, stats.startedAt));

    // The histogram holds whole timer intervals: the lag is what exceeds the resolution.
    const ms = (ns: number) => Math.max(0, Math.round(ns / 1e5 - LAG_RESOLUTION_MS * 10) / 10);
    const server = memory.map((m) => m.serverMb);
    const load = memory.map((m) => m.loadMb);
    const requests = stats.requests();
    return {
      ok: stats.errors === 0 && stats.mismatches === 0,
      date: new Date().toISOString(),
      machine: {
        cpus: os.availableParallelism(),
        cpuModel: os.cpus()[0]?.model ?? "unknown",
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
        platform: `${os.platform()} ${os.release()}`,
        node: process.version,
        loadAverageAtStart,
      },
      database,
      options: opts,
      elapsedS: Math.round(elapsedS * 10) / 10,
      requests,
      requestsPerS: Math.round(requests / elapsedS),
      errors: stats.errors,
      mismatches: stats.mismatches,
      answers: {
        sent: stats.answersSent,
        verified: stats.answersVerified,
        replaced: stats.answersReplaced,
        perS: Math.round((stats.answersVerified / elapsedS) * 10) / 10,
        charsReceived: stats.charsReceived,
      },
      latencyMs: stats.summary(),
      serverMemoryMb: { start: server[0]!, peak: Math.max(...server), end: server.at(-1)!, processes: Math.max(...memory.map((m) => m.serverPids)) },
      loadGeneratorMemoryMb: { start: load[0]!, peak: Math.max(...load), end: load.at(-1)! },
      eventLoopLagMs: { p50: ms(lag.percentile(50)), p99: ms(lag.percentile(99)), max: ms(lag.max) },
      memorySamples: memory,
      problems: stats.problems,
    };
  } finally {
    for (const other of others) await other.stop();
    await app?.stop();
    // The server's own log (its last 4 MB), to find the cause of a problem the soak reports.
    if (app && process.env.SOAK_SERVER_LOG) writeFileSync(process.env.SOAK_SERVER_LOG, app.logs());
    await fake?.stop();
    await db?.drop().catch((err: unknown) => log(`could not drop the database: ${String(err)}`));
    if (env) removeDataDir(env);
  }
}
