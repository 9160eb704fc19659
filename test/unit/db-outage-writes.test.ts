/**
 * How the runner's writes behave while the database is unreachable: the last write is retried
 * for a bounded time (only for "database down" errors), and output that could not be written
 * stays in memory without an unhandled rejection.
 */
import { describe, expect, it } from "vitest";
import { retryWhileDatabaseDown } from "@/lib/generation/db-retry";
import { OutputBatcher } from "@/lib/generation/batcher";

const down = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
/** Drizzle wraps the driver's error; the classification must look through it. */
const wrapped = () => new Error("Failed query: select 1", { cause: Object.assign(new Error("terminating connection"), { code: "57P01" }) });

describe("retryWhileDatabaseDown", () => {
  it("retries while the database is down and returns the first success", async () => {
    let calls = 0;
    const retried: number[] = [];
    const result = await retryWhileDatabaseDown(
      async () => {
        calls++;
        if (calls === 1) throw down();
        if (calls === 2) throw wrapped();
        return "written";
      },
      { forMs: 5_000, delayMs: 1, onRetry: (_err, tries) => retried.push(tries) },
    );
    expect(result).toBe("written");
    expect(calls).toBe(3);
    expect(retried).toEqual([1, 2]);
  });

  it("does not retry other errors", async () => {
    let calls = 0;
    const bug = new Error("duplicate key value violates unique constraint");
    await expect(
      retryWhileDatabaseDown(
        async () => {
          calls++;
          throw bug;
        },
        { forMs: 5_000, delayMs: 1 },
      ),
    ).rejects.toBe(bug);
    expect(calls).toBe(1);
  });

  it("gives up after forMs, or at once when giveUp says so, with the last error", async () => {
    const started = Date.now();
    await expect(retryWhileDatabaseDown(() => Promise.reject(down()), { forMs: 60, delayMs: 5, maxDelayMs: 10 })).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
    expect(Date.now() - started).toBeLessThan(1_000);

    let calls = 0;
    await expect(
      retryWhileDatabaseDown(
        () => {
          calls++;
          return Promise.reject(down());
        },
        { forMs: 60_000, delayMs: 1, giveUp: () => true },
      ),
    ).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(calls).toBe(1);
  });
});

describe("OutputBatcher while the database is down", () => {
  it("keeps text whose write failed (no unhandled rejection from push) and writes it all once the database answers", async () => {
    let up = false;
    const writes: { startPos: number; text: string }[] = [];
    const batcher = new OutputBatcher(async (b) => {
      if (!up) throw down();
      writes.push({ startPos: b.startPos, text: b.text });
      return true;
    }, 4);
    // Past maxChars, push starts a write of its own; it fails (the test fails on an unhandled rejection).
    expect(batcher.push("hello ")).toBe(true);
    await expect(batcher.flush()).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(batcher.push("world")).toBe(true);
    expect(batcher.hasPending).toBe(true);
    expect(batcher.text).toBe("");

    up = true;
    expect(await batcher.flush(true)).toBe(true);
    expect(batcher.text).toBe("hello world");
    expect(writes).toEqual([{ startPos: 0, text: "hello world" }]);
  });
});
