/**
 * The Node-host path: the standalone build (`output: "standalone"` plus scripts/postbuild.mjs)
 * copied alone to an empty folder runs with `node server.js`, against PostgreSQL when the
 * tests have one (DATABASE_URL) and the embedded database otherwise; it holds a conversation,
 * serves its static files, and on SIGTERM hands an answer in progress over and exits. A
 * second server on the same database, run as the Dockerfile runs it (NEXT_MANUAL_SIG_HANDLE),
 * then finishes that answer, and exits on SIGTERM too.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, freePort, projectRoot, removeDataDir, testAppEnv, type TestDatabase } from "../support/app-server.ts";
import { signUp } from "../support/client.ts";
import { parseDirective, scriptedText } from "../support/fake-openai.ts";
import { createChat, exchange, pollTokens, send, waitForAnswer } from "../support/chat.ts";
import { logLines } from "./ops-helpers.ts";
import { completeStandalone } from "../../scripts/postbuild.mjs";
import { sharedFakeOpenAIUrl } from "../support/context.ts";
import { checkedFetch } from "../support/contract.ts";

interface Standalone {
  url: string;
  port: number;
  child: ChildProcess;
  logs(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

let dir: string;
let db: TestDatabase;
let env: Record<string, string>;

/** `extra`: what the Dockerfile adds (NEXT_MANUAL_SIG_HANDLE). */
async function startStandalone(extra: Record<string, string> = {}): Promise<Standalone> {
  const port = await freePort();
  const child = spawn(process.execPath, ["server.js"], {
    cwd: dir,
    // Only what a host would set: the test env, a port, an address. No MIGRATIONS_DIR.
    env: { ...env, NODE_ENV: "production", PATH: process.env.PATH ?? "", HOME: os.tmpdir(), PORT: String(port), HOSTNAME: "127.0.0.1", ...extra },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (output += c.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  const server: Standalone = { url: `http://127.0.0.1:${port}`, port, child, logs: () => output, exited };
  const end = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node server.js exited with ${child.exitCode}:\n${output}`);
    const ready = await checkedFetch(`${server.url}/api/ready`).catch(() => undefined);
    if (ready?.status === 200) return server;
    if (Date.now() > end) throw new Error(`node server.js was not ready within 90 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The container's HEALTHCHECK command (Dockerfile), run against a server: its exit code. */
function containerHealthcheck(port: number): number | null {
  const cmd = /^HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])$/m.exec(readFileSync(path.join(projectRoot, "Dockerfile"), "utf8"))?.[1];
  const [program, ...args] = JSON.parse(cmd ?? "[]") as string[];
  expect(program).toBe("node");
  return spawnSync(process.execPath, args, { env: { ...process.env, PORT: String(port) }, timeout: 10_000 }).status;
}

beforeAll(() => {
  const standalone = path.join(projectRoot, ".next", "standalone");
  if (!existsSync(path.join(standalone, "server.js"))) throw new Error("No standalone build: run npm run build");
  dir = mkdtempSync(path.join(os.tmpdir(), "pollchat-standalone-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(standalone, dir, { recursive: true });
  // What `npm run build` does as postbuild (scripts/postbuild.mjs), done on the copy: another
  // test run may be reading .next at the same time (CI runs both databases at once).
  completeStandalone(projectRoot, dir);
});

beforeAll(async () => {
  db = await createTestDatabase();
  env = { ...testAppEnv(db, sharedFakeOpenAIUrl()), SHUTDOWN_GRACE_MS: "1000", LEASE_MS: "60000" };
  cleanups.push(async () => {
    await db.drop();
    removeDataDir(env);
  });
});

describe("the standalone server (node server.js)", () => {
  it("runs from an empty folder: ready, static files, a conversation, and hand-over on SIGTERM", async () => {
    expect(readdirSync(dir).sort()).toEqual(expect.arrayContaining([".next", "db", "node_modules", "package.json", "server.js"]));
    const first = await startStandalone();

    const ready = (await (await checkedFetch(`${first.url}/api/ready`)).json()) as { ready: boolean; db: string; migrations: number };
    expect(ready.ready).toBe(true);
    expect(ready.db).toBe("url" in db ? "postgres" : "pglite");
    expect(ready.migrations).toBeGreaterThan(0);
    expect(containerHealthcheck(first.port)).toBe(0);

    // A client script of the build is served from the copied .next/static.
    const chunk = readdirSync(path.join(dir, ".next", "static", "chunks")).find((f) => f.endsWith(".js"));
    const js = await checkedFetch(`${first.url}/_next/static/chunks/${chunk}`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/javascript/);

    const client = await signUp(first.url);
    const chat = await createChat(client);
    const done = await exchange(client, chat.uuid, '[[fake text="Served standalone. " repeat=5]]');
    expect(done.polled).toMatchObject({ status: "completed", text: "Served standalone. ".repeat(5) });
    expect(done.stored.status).toBe("completed");

    // An answer in progress when SIGTERM arrives: 1 s of grace, then handed over; the process
    // exits on its own. Next's signal handler was not told to stand aside here (a bare
    // `node server.js`): the app took it over at start (lib/shutdown.ts).
    const content = '[[fake text="Resumed after SIGTERM. " repeat=150 chunk=6 delay=30]]';
    const user = await send(client, chat.uuid, content);
    const answer = await waitForAnswer(client, chat.uuid, user.uuid);
    const before = await pollTokens(client, answer.uuid, { stopWhen: (r) => r.position > 30 });
    expect(before.status).toBe("pending");
    const signalled = Date.now();
    first.child.kill("SIGTERM");
    const exit = await first.exited;
    expect(Date.now() - signalled).toBeLessThan(15_000);
    expect(exit, JSON.stringify(exit)).toEqual({ code: 143, signal: null });
    const lines = logLines(first.logs()).json;
    expect(lines.find((l) => l.msg.startsWith("took over the signal handling from Next"))).toBeDefined();
    expect(lines.find((l) => l.msg.startsWith("SIGTERM: 1 answer(s) in progress"))).toBeDefined();
    expect(lines.find((l) => l.msg === "generation handed over")).toMatchObject({ attempt: 1 });
    expect(lines.find((l) => l.msg === "shutdown done; exiting")).toMatchObject({ forced: false });

    // Another server on the same database resumes it at once (the lease was released, not left
    // to run out: LEASE_MS is a minute here). This one runs as the Dockerfile runs it.
    const second = await startStandalone({ NEXT_MANUAL_SIG_HANDLE: "true" });
    const resumedAt = Date.now();
    const moved = client.at(second.url);
    const resumed = await pollTokens(moved, answer.uuid, { from: { text: before.text, position: before.position }, timeoutMs: 40_000 });
    expect(resumed.status).toBe("completed");
    expect(resumed.text).toBe(scriptedText(parseDirective(content)));
    expect(Date.now() - resumedAt).toBeLessThan(30_000);

    second.child.kill("SIGTERM");
    const quiet = await second.exited;
    expect(quiet, JSON.stringify(quiet)).toEqual({ code: 143, signal: null });
    const secondLines = logLines(second.logs()).json;
    expect(secondLines.find((l) => l.msg.startsWith("took over the signal handling from Next"))).toBeUndefined();
    expect(secondLines.find((l) => l.msg === "shutdown done; exiting")).toMatchObject({ forced: false });
    if (!("url" in db)) expect(existsSync(`${db.pgliteDir}.lock`)).toBe(false);
    expect(containerHealthcheck(second.port)).toBe(1);
  });
});
