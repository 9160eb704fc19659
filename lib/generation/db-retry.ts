/**
 * Waiting out a database outage (a restart, a failover) at the moments a runner must write:
 * the end of an answer. Losing that write would throw away a whole answer that the model
 * already sent; waiting a bounded time keeps it. Only "the database is unreachable" errors
 * are retried: a bug or a constraint violation fails at once.
 */
import "server-only";
import { isDatabaseDown } from "../http/db-errors";

export interface RetryOptions {
  /** Give up after this long (ms), rethrowing the last error. */
  forMs: number;
  /** First pause between tries (ms); doubles up to `maxDelayMs`. */
  delayMs?: number;
  maxDelayMs?: number;
  /** Checked before each retry: true stops waiting (the runner was cancelled or is shutting down). */
  giveUp?: () => boolean;
  /** Called with each failure that will be retried. */
  onRetry?: (err: unknown, tries: number) => void;
}

export async function retryWhileDatabaseDown<T>(write: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const deadline = Date.now() + opts.forMs;
  let delay = opts.delayMs ?? 200;
  for (let tries = 1; ; tries++) {
    try {
      return await write();
    } catch (err) {
      if (!isDatabaseDown(err) || Date.now() + delay > deadline || opts.giveUp?.()) throw err;
      opts.onRetry?.(err, tries);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 2_000);
    }
  }
}
