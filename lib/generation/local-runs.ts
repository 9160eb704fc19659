/**
 * Generations running in this process, so a cancel that lands here stops the model call at
 * once (other processes notice at their next write), and shutdown can wait for them.
 */
import "server-only";
import type { GenerationStop } from "./errors";

type Abort = (reason: GenerationStop) => void;

interface Registry {
  runs: Map<string, Abort>;
  tasks: Set<Promise<void>>;
}

const g = globalThis as unknown as { __pollchatRuns?: Registry };
const registry: Registry = (g.__pollchatRuns ??= { runs: new Map(), tasks: new Set() });

export const localRuns = {
  add(requestUuid: string, abort: Abort): () => void {
    registry.runs.set(requestUuid, abort);
    return () => {
      if (registry.runs.get(requestUuid) === abort) registry.runs.delete(requestUuid);
    };
  },
  has(requestUuid: string): boolean {
    return registry.runs.has(requestUuid);
  },
  abort(requestUuid: string, reason: GenerationStop): void {
    registry.runs.get(requestUuid)?.(reason);
  },
  /** Stops every generation of this process (at shutdown). */
  abortAll(reason: GenerationStop): number {
    const aborts = [...registry.runs.values()];
    for (const abort of aborts) abort(reason);
    return aborts.length;
  },
  /** Tracks a background task until it settles. */
  track(task: Promise<void>): Promise<void> {
    registry.tasks.add(task);
    void task.finally(() => registry.tasks.delete(task));
    return task;
  },
  inFlight(): number {
    return registry.tasks.size;
  },
  all(): Promise<void>[] {
    return [...registry.tasks];
  },
};
