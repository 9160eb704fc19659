/**
 * Graceful shutdown: on SIGTERM/SIGINT, answers in progress get SHUTDOWN_GRACE_MS to finish;
 * those still running then are handed over (their lease released, so the next poll on another
 * server resumes them at once). Nothing is left `running` without a live lease.
 */
import "server-only";
import { GenerationStop } from "./errors";
import { localRuns } from "./local-runs";
import { log } from "../log";

const g = globalThis as unknown as { __pollchatShutdown?: boolean };

export function installShutdownHandler(graceMs: number): void {
  if (g.__pollchatShutdown) return;
  g.__pollchatShutdown = true;
  const onSignal = (signal: NodeJS.Signals) => {
    const running = localRuns.inFlight();
    if (running === 0) return;
    log().info({ signal, running, graceMs }, `${signal}: ${running} answer(s) in progress get ${Math.round(graceMs / 1000)} s to finish`);
    const timer = setTimeout(() => {
      const n = localRuns.abortAll(new GenerationStop("shutdown", "The server is shutting down."));
      if (n > 0) log().info({ handedOver: n }, `handing over ${n} answer(s) to the next server`);
    }, graceMs);
    timer.unref();
    void Promise.allSettled(localRuns.all()).then(() => clearTimeout(timer));
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
