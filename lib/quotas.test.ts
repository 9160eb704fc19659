import { describe, expect, it } from "vitest";
import { formatDuration } from "./duration";
import { nextUtcMidnight, quotaRefusal, quotasFor } from "./quotas";
import type { Env } from "./env";

const e = {
  RATE_LIMIT_MESSAGES_PER_HOUR: 120,
  RATE_LIMIT_TOKENS_PER_DAY: 1_000_000,
  RATE_LIMIT_CONCURRENT: 3,
  GUEST_MESSAGES_PER_HOUR: 20,
  GUEST_TOKENS_PER_DAY: 50_000,
  GUEST_CONCURRENT: 1,
  STORAGE_PER_USER_BYTES: 1024 ** 3,
  GUEST_STORAGE_BYTES: 50 * 1024 ** 2,
} as Env;

const idle = { active: 0, lastHour: 0, oldestInHour: null, tokensToday: 0 };

describe("quotas", () => {
  it("takes the defaults (guests their own), with the user's overrides over them", () => {
    expect(quotasFor({ guest: false, quota: {} }, e)).toEqual({ limits: { messagesPerHour: 120, tokensPerDay: 1_000_000, concurrent: 3, storageBytes: 1024 ** 3 }, overridden: [] });
    expect(quotasFor({ guest: true, quota: {} }, e).limits).toEqual({ messagesPerHour: 20, tokensPerDay: 50_000, concurrent: 1, storageBytes: 50 * 1024 ** 2 });
    const o = quotasFor({ guest: true, quota: { concurrent: 0, tokensPerDay: 7, messagesPerHour: -1, storageBytes: 5 } }, e);
    expect(o.limits).toEqual({ messagesPerHour: 20, tokensPerDay: 7, concurrent: 0, storageBytes: 5 });
    expect(o.overridden).toEqual(["tokensPerDay", "concurrent", "storageBytes"]);
  });

  it("refuses at the limit, not below it; 0 is no limit", () => {
    const limits = { messagesPerHour: 2, tokensPerDay: 100, concurrent: 1, storageBytes: 10 };
    expect(quotaRefusal({ ...idle, lastHour: 1, tokensToday: 99 }, limits, false)).toBeNull();
    expect(quotaRefusal({ ...idle, tokensToday: 100 }, limits, false)?.details).toMatchObject({ limit: "tokensPerDay" });
    expect(quotaRefusal({ ...idle, active: 5, lastHour: 9, tokensToday: 9e9 }, { messagesPerHour: 0, tokensPerDay: 0, concurrent: 0, storageBytes: 0 }, false)).toBeNull();
    // A full storage refuses uploads, never a send.
    expect(quotaRefusal({ ...idle, storageBytes: 99 }, limits, false)).toBeNull();
  });

  it("names the limit that frees up last, with Retry-After until then", () => {
    const now = new Date("2025-03-01T22:00:00.000Z");
    const oldest = new Date("2025-03-01T21:30:00.000Z");
    const err = quotaRefusal({ active: 1, lastHour: 2, oldestInHour: oldest, tokensToday: 100 }, { messagesPerHour: 2, tokensPerDay: 100, concurrent: 1, storageBytes: 0 }, true, now)!;
    expect(err.status).toBe(429);
    expect(err.retryAfter).toBe(7200);
    expect(err.message).toBe("You used 100 tokens today; the limit is 100 a day. It resets at midnight UTC, in 2 hours. Create an account for higher limits.");
    const hourly = quotaRefusal({ ...idle, lastHour: 2, oldestInHour: oldest }, { messagesPerHour: 2, tokensPerDay: 0, concurrent: 0, storageBytes: 0 }, false, now)!;
    expect(hourly.retryAfter).toBe(1800);
    expect(hourly.message).toBe("You sent 2 messages in the last hour; the limit is 2 an hour. It resets as your oldest message leaves the hour: try again in 30 minutes (at 22:30 UTC).");
  });

  it("knows when a UTC day ends, and says durations rounded up", () => {
    expect(nextUtcMidnight(new Date("2024-12-31T23:59:59.000Z")).toISOString()).toBe("2025-01-01T00:00:00.000Z");
    expect(formatDuration(1)).toBe("1 second");
    expect(formatDuration(61)).toBe("2 minutes");
    expect(formatDuration(3600)).toBe("1 hour");
    expect(formatDuration(3 * 3600 + 11 * 60 + 1)).toBe("3 hours 12 minutes");
    expect(formatDuration(43_200, "short")).toBe("12 h");
    expect(formatDuration(45, "short")).toBe("45 s");
  });
});
