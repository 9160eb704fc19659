/**
 * inBackground (docs/design.md §6.2): after() in an App Router request; elsewhere (a Pages API
 * poll) the task starts at once and its promise goes to @vercel/functions' waitUntil, which
 * off Vercel does nothing. Failures are logged, never unhandled.
 *
 * The App Router request is Next's own machinery, not a stand-in: the real `after()` of
 * next/server inside the work stores and AfterContext that Next gives a route handler (the
 * route-handler module builds them the same way, with the platform's waitUntil and the
 * response's close). If a Next upgrade moves these internals, this test fails at its imports.
 *
 * Vercel's request context is simulated the way @vercel/functions reads it:
 * `globalThis[Symbol.for("@vercel/request-context")].get().waitUntil` (its get-context.js).
 * The package offers no public API to set it (its getContext and SYMBOL_FOR_REQ_CONTEXT are
 * not in its exports map); the Vercel runtime installs that object itself.
 */
// First, as in Next's server: exposes AsyncLocalStorage globally for Next's request stores.
import "next/dist/server/node-environment-baseline";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AfterContext } from "next/dist/server/after/after-context";
import { workAsyncStorage, type WorkStore } from "next/dist/server/app-render/work-async-storage.external";
import { workUnitAsyncStorage, type WorkUnitStore } from "next/dist/server/app-render/work-unit-async-storage.external";
import { inBackground } from "./background";
import { log, requestContext, withRequestContext } from "../log";

const VERCEL_REQUEST_CONTEXT = Symbol.for("@vercel/request-context");
type Globals = Record<symbol, unknown>;

/** Installs a Vercel request context whose waitUntil records what it is given. */
function onVercel(): Promise<unknown>[] {
  const handed: Promise<unknown>[] = [];
  (globalThis as Globals)[VERCEL_REQUEST_CONTEXT] = { get: () => ({ waitUntil: (p: Promise<unknown>) => handed.push(p) }) };
  return handed;
}

/**
 * Runs `fn` the way Next runs a route handler: in its work store (with an AfterContext that
 * hands its promise to `waitUntil` and runs after() tasks when `close` is called, as the
 * response's end does) and a request's work-unit store.
 */
function inAppRouterRequest(fn: () => void) {
  const nextWaited: Promise<unknown>[] = [];
  const closeListeners: (() => void)[] = [];
  const afterContext = new AfterContext({
    waitUntil: (p) => nextWaited.push(p),
    onClose: (cb) => closeListeners.push(cb),
    onTaskError: undefined,
  });
  const workStore = { afterContext } as unknown as WorkStore;
  const workUnitStore = { type: "request", phase: "action" } as unknown as WorkUnitStore;
  workAsyncStorage.run(workStore, () => workUnitAsyncStorage.run(workUnitStore, fn));
  return { nextWaited, close: () => closeListeners.forEach((cb) => cb()) };
}

/** A task the test finishes by hand. */
function gatedTask() {
  const events: string[] = [];
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  const task = vi.fn(async () => {
    events.push(`started in ${requestContext()?.requestId ?? "no request"}`);
    await gate;
    events.push("completed");
  });
  return { task, events, finish };
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
  delete (globalThis as Globals)[VERCEL_REQUEST_CONTEXT];
  vi.restoreAllMocks();
});

describe("inBackground", () => {
  it("in an App Router request, hands the task to after(): it runs once the response is closed, in the request's context, and not through waitUntil of @vercel/functions", async () => {
    const vercelHanded = onVercel();
    const { task, events, finish } = gatedTask();
    const request = withRequestContext({ requestId: "send-1" }, () => inAppRouterRequest(() => inBackground(task)));

    // Queued by after(), not started: the response goes out first.
    await new Promise((r) => setImmediate(r));
    expect(task).not.toHaveBeenCalled();
    expect(request.nextWaited).toHaveLength(1);
    expect(vercelHanded).toHaveLength(0);

    request.close();
    await vi.waitFor(() => expect(events).toEqual(["started in send-1"]));
    finish();
    await Promise.all(request.nextWaited);
    expect(events).toEqual(["started in send-1", "completed"]);
  });

  it("in a Pages API route (no after() scope), starts the task at once and hands its promise to Vercel's waitUntil, which settles when the task completes", async () => {
    const handed = onVercel();
    const { task, events, finish } = gatedTask();
    withRequestContext({ requestId: "poll-1" }, () => inBackground(task));

    // Started synchronously, in the poll's context, before the poll's response is written.
    expect(events).toEqual(["started in poll-1"]);
    expect(handed).toHaveLength(1);
    let settled = false;
    void handed[0]!.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);

    finish();
    await handed[0];
    expect(events).toEqual(["started in poll-1", "completed"]);
  });

  it("off Vercel (no request context for waitUntil), the task still runs to the end", async () => {
    const { task, events, finish } = gatedTask();
    inBackground(task);
    expect(events).toEqual(["started in no request"]);
    finish();
    await vi.waitFor(() => expect(events).toEqual(["started in no request", "completed"]));
  });

  it("a failing task is logged as a JSON line with its request id, not left unhandled, on either path", async () => {
    // What the line would say, and the request id its mixin would add.
    const failures: { message: string; requestId?: string }[] = [];
    vi.spyOn(log(), "error").mockImplementation(((fields: { err: Error }, msg: string) => {
      if (msg === "background task failed") failures.push({ message: fields.err.message, requestId: requestContext()?.requestId });
    }) as never);
    const handed = onVercel();
    const failing = () => Promise.reject(new Error("model exploded"));
    const throwing = () => {
      throw new Error("thrown before any await");
    };

    withRequestContext({ requestId: "poll-2" }, () => {
      inBackground(failing);
      inBackground(throwing);
    });
    // What Vercel waits for settles instead of rejecting.
    await expect(Promise.all(handed)).resolves.toHaveLength(2);

    const request = withRequestContext({ requestId: "send-2" }, () => inAppRouterRequest(() => inBackground(failing)));
    request.close();
    await Promise.all(request.nextWaited);
    await new Promise((r) => setImmediate(r));

    expect(failures).toHaveLength(3);
    expect(failures).toEqual(
      expect.arrayContaining([
        { message: "model exploded", requestId: "poll-2" },
        { message: "thrown before any await", requestId: "poll-2" },
        { message: "model exploded", requestId: "send-2" },
      ]),
    );
    expect(unhandled).toEqual([]);
  });
});
