/**
 * The password-hash gate (hash-gate.ts) under a flood: the work it admits is held open by the
 * test, so how many run at once and how many wait is observed, not assumed.
 */
import { describe, expect, it } from "vitest";
import { HASH_CONCURRENCY, HASH_QUEUE, HashBusy, hashGate } from "./hash-gate";

describe("hashGate", () => {
  it("runs at most HASH_CONCURRENCY at once, queues HASH_QUEUE more, refuses the next with HashBusy (429), and drains in order", async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const release: (() => void)[] = [];
    const work = (i: number) => () =>
      new Promise<number>((resolve) => {
        running++;
        most = Math.max(most, running);
        started.push(i);
        release.push(() => {
          running--;
          resolve(i);
        });
      });

    const admitted = Array.from({ length: HASH_CONCURRENCY + HASH_QUEUE }, (_, i) => hashGate(work(i)));
    await new Promise((r) => setImmediate(r));
    expect(running).toBe(HASH_CONCURRENCY);

    // The queue is full: the next is refused at once, without running its work.
    let ranRefused = false;
    const refused = await hashGate(async () => {
      ranRefused = true;
    }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(HashBusy);
    expect(refused).toMatchObject({ code: "rate_limited", status: 429 });
    expect(ranRefused).toBe(false);

    // Finishing one lets exactly one waiter in, never more than the limit.
    while (release.length > 0) {
      release.shift()!();
      await new Promise((r) => setImmediate(r));
      expect(running).toBeLessThanOrEqual(HASH_CONCURRENCY);
    }
    expect(await Promise.all(admitted)).toEqual(admitted.map((_, i) => i));
    expect(most).toBe(HASH_CONCURRENCY);
    expect(started).toEqual(admitted.map((_, i) => i));

    // Drained: the gate admits again, and a failing work frees its place.
    await expect(hashGate(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await hashGate(() => Promise.resolve("ok"))).toBe("ok");
  });
});
