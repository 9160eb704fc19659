/**
 * Runs the BUILT app (`next start`) as a child process for integration and e2e tests, and
 * makes a fresh database for it: a new PostgreSQL database when DATABASE_URL is set, a temp
 * PGlite directory otherwise.
 *
 * Only erasable TypeScript syntax and relative `.ts` imports, so that plain `node`
 * (e2e/serve.mjs) can load this file as well as vitest.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";

export const projectRoot: string = fileURLToPath(new URL("../..", import.meta.url));

export interface AppServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the server printed so far (stdout and stderr interleaved). */
  logs(): string;
  /** Sends `signal` (default SIGTERM) to the server's process group and waits for it to exit; SIGKILL after 10 s. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartAppServerOptions {
  /** Merged over process.env; `undefined` removes a variable. */
  env: Record<string, string | undefined>;
  /** Default: a free port. */
  port?: number;
  /** Also copy the server's output to this process's stdout/stderr (e2e/serve.mjs does). */
  echo?: boolean;
  /** How long to wait for GET /api/health to answer 200. Default 150 s. */
  readyTimeoutMs?: number;
}

export type TestDatabase =
  | { url: string; drop(): Promise<void> }
  | { pgliteDir: string; drop(): Promise<void> };

const MAX_LOG_CHARS = 4 * 1024 * 1024;
/**
 * A hang guard, not a performance check: a server is ready in 1-3 s on a quiet machine, but
 * took 45 s on this 2-core machine at a load average of 20.
 */
const READY_TIMEOUT_MS = 150_000;
const KILL_AFTER_MS = 10_000;

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// Children run in their own process group (so a signal reaches next's workers too). If this
// process exits without stopping them, kill them rather than leave servers holding ports.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once("exit", () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const c of live) killGroup(c, "SIGKILL");
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once("exit", onExit);
  });
}

function tail(text: string, chars = 4000): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

class StartError extends Error {
  readonly addressInUse: boolean;
  constructor(message: string, addressInUse: boolean) {
    super(message);
    this.name = "StartError";
    this.addressInUse = addressInUse;
  }
}

async function startOnce(opts: StartAppServerOptions, port: number): Promise<AppServer> {
  const nextBin = path.join(projectRoot, "node_modules", "next", "dist", "bin", "next");
  const env = { ...process.env };
  for (const [k, v] of Object.entries(opts.env)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }

  // process.execPath: the Node that runs the tests (24, from node_modules), not whatever
  // `node` comes first on PATH.
  const child = spawn(process.execPath, [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: projectRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  track(child);

  let log = "";
  const append = (chunk: Buffer, to: NodeJS.WriteStream) => {
    const s = chunk.toString("utf8");
    log += s;
    if (log.length > MAX_LOG_CHARS) log = log.slice(-MAX_LOG_CHARS / 2);
    if (opts.echo) to.write(s);
  };
  child.stdout?.on("data", (c: Buffer) => append(c, process.stdout));
  child.stderr?.on("data", (c: Buffer) => append(c, process.stderr));

  const url = `http://127.0.0.1:${port}`;
  const server: AppServer = {
    url,
    port,
    child,
    logs: () => log,
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      killGroup(child, signal);
      if (await waitForExit(child, KILL_AFTER_MS)) return;
      killGroup(child, "SIGKILL");
      await waitForExit(child, KILL_AFTER_MS);
    },
  };

  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.once("exit", (code, signal) => (exited = { code, signal }));
  let spawnError: Error | undefined;
  child.once("error", (err) => (spawnError = err));

  const deadline = Date.now() + (opts.readyTimeoutMs ?? READY_TIMEOUT_MS);
  let lastProblem = "no answer yet";
  while (Date.now() < deadline) {
    if (spawnError) throw new StartError(`Could not run next start: ${spawnError.message}`, false);
    if (exited) {
      // Give the pipes a moment to deliver the last lines.
      await new Promise((r) => setTimeout(r, 50));
      throw new StartError(
        `The app server exited before it was ready (code ${exited.code}, signal ${exited.signal}). Its output:\n${tail(log)}`,
        /EADDRINUSE/.test(log),
      );
    }
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
      const body = await res.text();
      if (res.status === 200) return server;
      lastProblem = `GET /api/health answered ${res.status}: ${body.slice(0, 300)}`;
    } catch (err) {
      lastProblem = `GET /api/health failed: ${(err as Error).message}`;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  await server.stop("SIGKILL");
  throw new StartError(
    `The app server did not become ready within ${Math.round((opts.readyTimeoutMs ?? READY_TIMEOUT_MS) / 1000)} s (${lastProblem}). Its output:\n${tail(log)}`,
    false,
  );
}

/** Starts `next start` on the built app and resolves once GET /api/health answers 200. */
export async function startAppServer(opts: StartAppServerOptions): Promise<AppServer> {
  if (!existsSync(path.join(projectRoot, ".next", "BUILD_ID"))) {
    throw new Error("Build the app first: npm run build");
  }
  // A port from freePort() can be taken by someone else before next binds it: try another.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await startOnce(opts, port);
    } catch (err) {
      const retry = err instanceof StartError && err.addressInUse && opts.port === undefined && attempt < 3;
      if (!retry) throw err;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Databases

const TEST_DB_PREFIX = "pollchat_test_";
/** Test databases older than this were left by a killed run: dropped when the next one is made. */
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

function adminClient(url: string) {
  return postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {} });
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function dropStaleTestDatabases(sql: ReturnType<typeof adminClient>): Promise<void> {
  const rows = await sql<{ datname: string }[]>`
    select datname from pg_database where datname like ${TEST_DB_PREFIX.replaceAll("_", "\\_") + "%"}`;
  for (const { datname } of rows) {
    const created = Number(/^pollchat_test_(\d+)_/.exec(datname)?.[1]);
    if (!Number.isFinite(created) || Date.now() - created < STALE_AFTER_MS) continue;
    await sql.unsafe(`drop database if exists ${quoteIdent(datname)} with (force)`).catch(() => {});
  }
}

/**
 * A PGlite data directory just initialised (initdb, nothing more: the app still creates its
 * tables), made once per PGlite version in node_modules/.cache and copied for each test
 * database: initdb in WebAssembly costs about 4 s of CPU, a copy about 0.2 s. Processes that
 * make it at the same time each make their own and the first to rename it into place wins.
 */
async function pgliteTemplate(): Promise<string> {
  const pkg = path.join(projectRoot, "node_modules", "@electric-sql", "pglite", "package.json");
  const version = (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
  const cache = path.join(projectRoot, "node_modules", ".cache");
  const dir = path.join(cache, `pollchat-pglite-template-${version}`);
  if (existsSync(path.join(dir, "ready"))) return path.join(dir, "db");
  mkdirSync(cache, { recursive: true });
  const staging = mkdtempSync(`${dir}.tmp-`);
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    const pg = await PGlite.create(path.join(staging, "db"));
    await pg.query("select 1");
    await pg.close();
    writeFileSync(path.join(staging, "ready"), `${new Date().toISOString()}\n`);
    try {
      renameSync(staging, dir);
    } catch (err) {
      // Another process put its template in place first: use that one.
      if (!existsSync(path.join(dir, "ready"))) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return path.join(dir, "db");
}

/**
 * A fresh, empty database. With DATABASE_URL (or `serverUrl`, another PostgreSQL server):
 * `pollchat_test_<ms>_<hex>` on that server (the URL's own database is only used to connect).
 * Without: a temp dir for PGlite (a copy of an initialised, empty one). `drop()` removes it
 * either way.
 */
export async function createTestDatabase(serverUrl: string | undefined = process.env.DATABASE_URL): Promise<TestDatabase> {
  if (!serverUrl) {
    const template = await pgliteTemplate();
    const root = mkdtempSync(path.join(os.tmpdir(), "pollchat-pglite-"));
    // PGlite's lock file goes next to the directory (`<dir>.lock`): keep both inside root.
    const pgliteDir = path.join(root, "db");
    cpSync(template, pgliteDir, { recursive: true });
    return {
      pgliteDir,
      drop: () => {
        rmSync(root, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }

  const name = `${TEST_DB_PREFIX}${Date.now()}_${randomBytes(4).toString("hex")}`;
  const admin = adminClient(serverUrl);
  try {
    await dropStaleTestDatabases(admin);
    await admin.unsafe(`create database ${quoteIdent(name)}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    drop() {
      dropped ??= (async () => {
        const sql = adminClient(serverUrl);
        try {
          await sql.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
        } finally {
          await sql.end({ timeout: 5 });
        }
      })();
      return dropped;
    },
  };
}

export const TEST_AUTH_SECRET = "pollchat-test-secret-0123456789abcdef0123456789abcdef";
/** Opens GET /api/ops/invariants on every test server (test/support/invariants.ts). */
export const TEST_OPS_TOKEN = "pollchat-test-ops-token-0123456789";

/**
 * The environment the app runs with in tests: the fresh database, a fixed auth secret, the
 * fake OpenAI server as the only real model (plus the demo model), fast leases, no rate
 * limits and the operator token of the invariants check. Variables that would bring in real providers from the caller's environment are
 * blanked. DATA_DIR is a new temp dir: remove it when done (`removeDataDir`).
 */
export function testAppEnv(db: TestDatabase, fakeOpenAIUrl: string): Record<string, string> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "pollchat-data-"));
  return {
    // DATABASE_URL="" (not absent) so that one inherited from the caller cannot win.
    ...("url" in db ? { DATABASE_URL: db.url } : { DATABASE_URL: "", PGLITE_DIR: db.pgliteDir }),
    AUTH_SECRET: TEST_AUTH_SECRET,
    OPS_TOKEN: TEST_OPS_TOKEN,
    DATA_DIR: dataDir,
    OPENAI_COMPATIBLE_BASE_URL: fakeOpenAIUrl,
    OPENAI_COMPATIBLE_API_KEY: "",
    // fake-model reads text only (as a compatible model does unless named); fake-vision reads
    // images and PDFs (docs/design.md §3.13): the fake tells what bytes it got.
    OPENAI_COMPATIBLE_MODELS: "fake-model,fake-vision",
    IMAGE_MODELS: "compatible:fake-vision",
    PDF_MODELS: "compatible:fake-vision",
    OPENAI_COMPATIBLE_NAME: "Fake",
    // The fake continues a final assistant message as vLLM does: an interrupted answer resumes
    // by prefill, exactly. The instruction path is tested on its own (recovery.test.ts).
    OPENAI_COMPATIBLE_CONTINUE: "true",
    // The fake takes tools (as vLLM does): offered the built-ins, as a deployment that names it would.
    TOOL_MODELS: "*",
    DEMO_MODEL: "true",
    DEMO_TOKENS_PER_SECOND: "400",
    DEFAULT_MODEL: "",
    LEASE_MS: "3000",
    // Upstream deadlines short enough for fault tests (test/integration/chat-faults.test.ts).
    FIRST_TOKEN_TIMEOUT_MS: "4000",
    STALL_TIMEOUT_MS: "2000",
    QUEUED_GRACE_MS: "1000",
    RATE_LIMIT_MESSAGES_PER_HOUR: "100000",
    RATE_LIMIT_CONCURRENT: "1000",
    RATE_LIMIT_TOKENS_PER_DAY: "0",
    // Guests and ADMIN_EMAILS only where a test asks for them (the first account is admin anyway).
    ALLOW_GUESTS: "",
    ADMIN_EMAILS: "",
    // Mail goes to the log unless a test starts its SMTP server (test/support/mail-sink.ts).
    SMTP_URL: "",
    // Every test user signs up from 127.0.0.1; sign-in limits are tested on a server of their own.
    REGISTER_MAX_PER_IP: "0",
    SIGNIN_MAX_FAILURES_PER_IP: "0",
    TRUST_PROXY: "0",
    NODE_ENV: "production",
    // Never reach a real provider or OAuth app from a test.
    OPENAI_API_KEY: "",
    ANTHROPIC_API_KEY: "",
    AI_GATEWAY_API_KEY: "",
    AUTH_GITHUB_ID: "",
    AUTH_GITHUB_SECRET: "",
    AUTH_GOOGLE_ID: "",
    AUTH_GOOGLE_SECRET: "",
    ALLOWED_ORIGINS: "",
    NEXT_TELEMETRY_DISABLED: "1",
  };
}

/** Removes the DATA_DIR that testAppEnv made. */
export function removeDataDir(env: Record<string, string | undefined>): void {
  const dir = env.DATA_DIR;
  if (dir && path.basename(dir).startsWith("pollchat-data-")) rmSync(dir, { recursive: true, force: true });
}
