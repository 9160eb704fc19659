/**
 * Work that goes on after the response (docs/design.md §6.2).
 *
 * - In an App Router request, `after()`: the task runs once the response is sent, and Next
 *   keeps the function alive for it (on Vercel through the platform's waitUntil).
 * - In a Pages API route (the polls, lib/http/pages-route.ts) `after()` has no request scope
 *   and throws. The task starts at once, alongside the response, and its promise is handed to
 *   `waitUntil` of @vercel/functions, Vercel's documented API: on Vercel the function then
 *   lives until the task ends (within its maxDuration); anywhere else that waitUntil finds no
 *   request context and does nothing, and the Node process simply keeps running the task.
 *
 * Either way the task runs in the caller's async context (request id, OpenTelemetry trace: Next
 * binds after() callbacks to it; the fallback calls the task right here), and a failure is
 * logged as a JSON line, never left as an unhandled rejection or Next's plain-text report.
 */
import { after } from "next/server";
import { waitUntil } from "@vercel/functions";
import { log } from "../log";

/** Runs `task` and logs its failure: the promise it returns never rejects. */
async function logged(task: () => Promise<unknown>): Promise<void> {
  try {
    await task();
  } catch (err) {
    log().error({ err }, "background task failed");
  }
}

export function inBackground(task: () => Promise<unknown>): void {
  try {
    after(() => logged(task));
    return;
  } catch {
    // Outside an App Router request scope: a Pages API route, a timer, a script.
  }
  const running = logged(task);
  try {
    waitUntil(running);
  } catch (err) {
    // The task is running either way; only the platform's promise to wait for it is missing.
    log().warn({ err }, "waitUntil refused a background task; it runs without it");
  }
}
