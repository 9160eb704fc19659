/**
 * Shutdown that ends (docs/design.md §7.2). On SIGTERM or SIGINT the server:
 * 1. starts no new generation (lib/generation/shutdown.ts) and stops listening; open
 *    connections end after their current answer, which carries `Connection: close`
 *    (lib/http/server-lifecycle.ts), so polling clients move to another server;
 * 2. gives answers in progress SHUTDOWN_GRACE_MS to finish, then hands them over;
 * 3. exits (143 for SIGTERM, 130 for SIGINT, as Next does) as soon as both are done, and at the
 *    latest HAND_OVER_MS + FLUSH_MS after the grace period: then connections still open are
 *    closed and runners still writing are left to their lease.
 *
 * One owner of the exit. Next's start-server (`next start`, the standalone server.js) has its
 * own handler for both signals unless NEXT_MANUAL_SIG_HANDLE is set: it closes the server,
 * waits for every connection to end, then exits. A client polling on a keep-alive connection
 * never lets that wait end (measured: answered for 175 s, never exited), and once it does end
 * the process exits without waiting for answers started by a poll. `npm start` and the
 * Dockerfile set NEXT_MANUAL_SIG_HANDLE; where nothing did (`next start`, a bare
 * `node server.js`), Next's handler is found and removed at start. In development Next keeps
 * its handler and the exit (it closes every connection at once there); only the answers'
 * grace period is added. On Vercel the platform ends the function; the same.
 */
import "server-only";
import { log } from "./log";
import { stopGenerations } from "./generation/shutdown";
import { closeTools } from "./tools";
import { localRuns } from "./generation/local-runs";
import { closeAllConnections, drainServers, openConnections } from "./http/server-lifecycle";
import { getDatabase } from "@/db/client";

/** After the grace period: for the handed-over answers' last writes, and the last answers to go out. */
const HAND_OVER_MS = 1_000;
/** For logs and traces to be flushed, and the database closed, before the exit. */
const FLUSH_MS = 500;

type Flush = () => Promise<unknown>;

interface ShutdownState {
  installed?: boolean;
  flushes: Flush[];
}

const g = globalThis as unknown as { __pollchatShutdown?: ShutdownState };
const state: ShutdownState = (g.__pollchatShutdown ??= { flushes: [] });

/** Something to send before the process exits (batched traces); at the signal where Next owns the exit. */
export function flushBeforeExit(flush: Flush): void {
  state.flushes.push(flush);
}

function within(ms: number, work: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work.catch(() => {}), timeout]).finally(() => clearTimeout(timer));
}

function flushAll(ms: number, also: Promise<unknown>[] = []): Promise<unknown> {
  const logs = new Promise<void>((resolve) => log().flush(() => resolve()));
  return within(ms, Promise.allSettled([...state.flushes.map((f) => f()), logs, ...also]));
}

/**
 * Next's own signal handler: the one function that start-server registers for both SIGINT and
 * SIGTERM. Nothing else in the process has registered one when instrumentation runs.
 */
function removeNextSignalHandler(): number {
  const both = process.listeners("SIGTERM").filter((l) => process.listeners("SIGINT").includes(l));
  for (const listener of both) {
    process.off("SIGTERM", listener);
    process.off("SIGINT", listener);
  }
  return both.length;
}

async function shutDown(signal: NodeJS.Signals, graceMs: number): Promise<void> {
  const startedAt = Date.now();
  let exiting = false;
  const exit = async (forced: boolean) => {
    if (exiting) return;
    exiting = true;
    clearTimeout(deadline);
    if (forced) {
      log().warn(
        { connections: openConnections(), running: localRuns.inFlight() },
        "shutdown deadline: closing the connections still open; answers still writing are left to their lease",
      );
      closeAllConnections();
    }
    log().info({ signal, ms: Date.now() - startedAt, forced }, "shutdown done; exiting");
    // Closed only when nothing uses it any more: a runner still writing keeps its connection.
    await flushAll(FLUSH_MS, forced ? [] : [getDatabase().then((d) => d.close())]);
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  const deadline = setTimeout(() => void exit(true), graceMs + HAND_OVER_MS);
  log().info(
    { signal, graceMs, connections: openConnections(), running: localRuns.inFlight() },
    `${signal}: shutting down: no new connections or answers here; open connections close after their current answer`,
  );
  await Promise.all([drainServers(), stopGenerations(graceMs, signal)]);
  await closeTools().catch(() => {});
  await exit(false);
}

export interface ShutdownOptions {
  /** SHUTDOWN_GRACE_MS */
  graceMs: number;
  /** Whether this process owns its exit (a production Node server, not `next dev`, not Vercel). */
  ownExit: boolean;
}

/** Installs the handler of SIGTERM and SIGINT, once per process (from instrumentation, at start). */
export function installShutdown({ graceMs, ownExit }: ShutdownOptions): void {
  if (state.installed) return;
  state.installed = true;
  if (ownExit) {
    const removed = removeNextSignalHandler();
    if (removed > 0) log().info({ removed }, "took over the signal handling from Next's server (NEXT_MANUAL_SIG_HANDLE was not set; npm start and the Dockerfile set it)");
  }
  let begun = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal (a shell's Ctrl+C reaches npm and the server both) changes nothing: the
    // deadline already bounds the exit.
    if (begun) return;
    begun = true;
    if (ownExit) {
      void shutDown(signal, graceMs);
      return;
    }
    void stopGenerations(graceMs, signal);
    void flushAll(FLUSH_MS);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
