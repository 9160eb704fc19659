/**
 * The polls are the supervisor (docs/design.md §6): no queue server, no cron. A poll that
 * reads a generation whose runner is gone (its lease ran out, or it stayed queued past the
 * grace) dispatches it again; the claim's fencing makes a double dispatch harmless.
 */
import "server-only";
import { dispatchGeneration } from "../generation/dispatch";

export function superviseRequest(request: { uuid: string; stale: boolean } | null): void {
  if (request?.stale) dispatchGeneration(request.uuid);
}
