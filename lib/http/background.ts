/**
 * Work that goes on after the response: `after()` in an App Router request; in a Pages API
 * route (the polls, lib/http/pages-route.ts), where after() has no request scope, the task
 * starts at once alongside the response, and on Vercel it is registered with the function's
 * waitUntil (what @vercel/functions reads from the same request context) so the platform keeps
 * the function alive for it, within its maxDuration.
 */
import { after } from "next/server";

interface VercelRequestContext {
  get?: () => { waitUntil?: (p: Promise<unknown>) => void } | undefined;
}

export function inBackground(task: () => Promise<unknown>): void {
  try {
    after(task);
    return;
  } catch {
    // Outside an App Router request scope.
  }
  const running = task();
  const vercel = (globalThis as Record<symbol, VercelRequestContext | undefined>)[Symbol.for("@vercel/request-context")];
  vercel?.get?.()?.waitUntil?.(running);
}
