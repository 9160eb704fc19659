/**
 * How an attempt that did not complete ends, decided from what stopped it (a pure function of
 * the error and the stop, so that each way out is one named case, tested on its own):
 * - cancelled: a person stopped it; the cancel already wrote the text. Nothing to do.
 * - fenced: another process owns the request now (or the chat is gone). Nothing to write.
 * - handed_over: shutdown or the time budget; keep the text, release the lease, the next poll
 *   anywhere resumes it.
 * - database_down: not the model's fault; leave it running for the next attempt.
 * - failed: the model (or a deadline) failed it; the message is what a person reads.
 */
import { GenerationStop, readableModelError, type StopReason } from "./errors";

export type Ending =
  | { kind: "cancelled" }
  | { kind: "fenced" }
  | { kind: "handed_over"; why: string }
  | { kind: "database_down" }
  | { kind: "failed"; message: string; reason?: StopReason };

export function endingOf(input: { err: unknown; stop: GenerationStop | undefined; model: string; databaseDown: boolean }): Ending {
  const { err, stop } = input;
  const stopped = stop ?? (err instanceof GenerationStop ? err : undefined);
  switch (stopped?.reason) {
    case "cancelled":
      return { kind: "cancelled" };
    case "fenced":
      return { kind: "fenced" };
    case "shutdown":
      return { kind: "handed_over", why: stopped.message };
  }
  if (!stop && input.databaseDown) return { kind: "database_down" };
  return { kind: "failed", message: readableModelError(stop ?? err, input.model), reason: stopped?.reason };
}
