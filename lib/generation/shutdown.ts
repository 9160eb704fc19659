/**
 * Generations at shutdown (docs/design.md §7.2): once it begins this process starts no new
 * runner (a request that would start one stays queued in the database, and a poll on another
 * server starts it); answers in progress get the grace period to finish; those still running
 * then are handed over (aborted with GenerationStop("shutdown"): the runner writes what it has
 * and releases its lease, so the next poll on another server resumes it at once). Nothing is
 * left `running` without a live lease. lib/shutdown.ts decides when this happens.
 */
import "server-only";
import { GenerationStop } from "./errors";
import { localRuns } from "./local-runs";
import { log } from "../log";

/** After the grace period, runners that were still claiming when it ran out are stopped as they register. */
const LATE_HAND_OVER_EVERY_MS = 100;

const g = globalThis as unknown as { __pollchatGenerationsStopped?: boolean };

/** False once shutdown has begun: dispatchGeneration then leaves requests to other servers. */
export function acceptingGenerations(): boolean {
  return !g.__pollchatGenerationsStopped;
}

function handOverAll(): void {
  const n = localRuns.abortAll(new GenerationStop("shutdown", "The server is shutting down."));
  if (n > 0) log().info({ handedOver: n }, `handing over ${n} answer(s) to the next server`);
}

/** Resolves once no runner of this process is left (each one settles, finished or handed over). */
async function runnersDone(): Promise<void> {
  while (localRuns.inFlight() > 0) await Promise.allSettled(localRuns.all());
}

/**
 * Starts no new runner from now on; the running ones get `graceMs` to finish and are handed over
 * after it. Resolves when none is left.
 */
export async function stopGenerations(graceMs: number, signal: NodeJS.Signals): Promise<void> {
  g.__pollchatGenerationsStopped = true;
  const running = localRuns.inFlight();
  if (running === 0) return;
  log().info({ signal, running, graceMs }, `${signal}: ${running} answer(s) in progress get ${Math.round(graceMs / 1000)} s to finish`);
  let late: NodeJS.Timeout | undefined;
  const grace = setTimeout(() => {
    handOverAll();
    late = setInterval(handOverAll, LATE_HAND_OVER_EVERY_MS);
  }, graceMs);
  try {
    await runnersDone();
  } finally {
    clearTimeout(grace);
    clearInterval(late);
  }
}
