/**
 * Starts generations in the background (after(), or its stand-in in the polls: see
 * lib/http/background.ts): the response goes out first, the work goes on after it (on Vercel,
 * within the function's maxDuration; when that runs out the lease expires and the next poll
 * resumes it).
 *
 * Once shutdown has begun (lib/generation/shutdown.ts) nothing starts here: the request is in
 * the database already (queued, or stale), so a poll on another server starts it
 * (docs/design.md §6.1, §7.2).
 */
import "server-only";
import { inBackground } from "../http/background";
import { runGeneration } from "./runner";
import { localRuns } from "./local-runs";
import { acceptingGenerations } from "./shutdown";
import { log } from "../log";

const starting = new Set<string>();

export function dispatchGeneration(requestUuid: string): void {
  if (!acceptingGenerations()) return;
  // One runner per request per process; the atomic claim settles it across processes.
  if (localRuns.has(requestUuid) || starting.has(requestUuid)) return;
  starting.add(requestUuid);
  inBackground(() => {
    // after() runs this once the response has gone out, which may be after shutdown began.
    if (!acceptingGenerations()) {
      starting.delete(requestUuid);
      return Promise.resolve();
    }
    return localRuns.track(
      runGeneration(requestUuid)
        .catch((err: unknown) => log().error({ err, llmRequestId: requestUuid }, "generation crashed"))
        .finally(() => starting.delete(requestUuid)),
    );
  });
}
