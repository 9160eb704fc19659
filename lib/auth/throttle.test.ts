/**
 * The growing delays of failed sign-ins (throttle.ts), as its header documents them: free
 * tries first, then each wait twice the one before, never longer than the window.
 */
import { describe, expect, it } from "vitest";
import { SIGNIN_FREE_FAILURES, signInDelaySeconds } from "./throttle";

describe("signInDelaySeconds", () => {
  it("waits nothing for the first SIGNIN_FREE_FAILURES failures, then 1 s, 2 s, 4 s…, capped at the window", () => {
    const waits = Array.from({ length: SIGNIN_FREE_FAILURES + 6 }, (_, failures) => signInDelaySeconds(failures, 900));
    expect(waits).toEqual([...Array<number>(SIGNIN_FREE_FAILURES).fill(0), 1, 2, 4, 8, 16, 32]);
    expect(signInDelaySeconds(SIGNIN_FREE_FAILURES + 20, 900)).toBe(900);
  });
});
