/**
 * Per-user quotas: messages per hour (a sliding hour), tokens per UTC day (input + output, as
 * the provider reported them or as estimated), answers generating at once. The defaults come
 * from the environment (guests have their own, tighter ones); `user.quota` overrides any of
 * them for one user. 0 means no limit, for a default and for an override alike.
 *
 * A refusal is a 429 whose sentence names the limit, what was used and when it resets, with
 * Retry-After in seconds until then.
 */
import "server-only";
import { AppError } from "./errors";
import { env, type Env } from "./env";
import { formatCount, formatDuration, utcClock } from "./duration";
import { formatBytes } from "./files/bytes";
import { QUOTA_NAMES, type QuotaName, type Quotas, type UserQuota } from "./contract";

export { QUOTA_NAMES, type QuotaName, type Quotas };


export interface EffectiveQuotas {
  limits: Quotas;
  /** The ones set for this user (user.quota), not taken from the defaults. */
  overridden: QuotaName[];
}

/** What counts against the quotas right now. */
export interface QuotaLoad {
  /** Generations queued or running. */
  active: number;
  /** Generations asked for in the last hour, and when the oldest of them was. */
  lastHour: number;
  oldestInHour: Date | null;
  /** Input + output tokens of generations asked for since midnight UTC. */
  tokensToday: number;
  /** Bytes of files kept (docs/design.md §3.13): checked by uploads, never by a send. */
  storageBytes?: number;
}

export function defaultQuotas(guest: boolean, e: Env = env()): Quotas {
  return guest
    ? { messagesPerHour: e.GUEST_MESSAGES_PER_HOUR, tokensPerDay: e.GUEST_TOKENS_PER_DAY, concurrent: e.GUEST_CONCURRENT, storageBytes: e.GUEST_STORAGE_BYTES }
    : { messagesPerHour: e.RATE_LIMIT_MESSAGES_PER_HOUR, tokensPerDay: e.RATE_LIMIT_TOKENS_PER_DAY, concurrent: e.RATE_LIMIT_CONCURRENT, storageBytes: e.STORAGE_PER_USER_BYTES };
}

export function quotasFor(user: { guest: boolean; quota: UserQuota | null }, e: Env = env()): EffectiveQuotas {
  const limits = defaultQuotas(user.guest, e);
  const overridden: QuotaName[] = [];
  for (const name of QUOTA_NAMES) {
    const v = user.quota?.[name];
    // Stored by the admin API as non-negative integers; anything else in the column is ignored.
    if (typeof v === "number" && Number.isInteger(v) && v >= 0) {
      limits[name] = v;
      overridden.push(name);
    }
  }
  return { limits, overridden };
}

/** The next midnight UTC after `now`: when the tokens of the day reset. */
export function nextUtcMidnight(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

/** When each quota frees up again, in seconds from `now` (undefined: not exhausted or no limit). */
export interface QuotaState {
  name: QuotaName;
  limit: number;
  used: number;
  /** Seconds until it is below its limit again; only while it is reached. */
  resetsIn?: number;
  /** When the window restarts (tokens: midnight UTC; messages: when the oldest leaves the hour). */
  resetsAt?: Date;
}

export function quotaStates(load: QuotaLoad, limits: Quotas, now: Date = new Date()): QuotaState[] {
  const hourEnds = load.oldestInHour ? new Date(load.oldestInHour.getTime() + 3_600_000) : undefined;
  const midnight = nextUtcMidnight(now);
  const seconds = (at: Date) => Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000));
  const reached = (used: number, limit: number) => limit > 0 && used >= limit;
  return [
    {
      name: "messagesPerHour",
      limit: limits.messagesPerHour,
      used: load.lastHour,
      resetsAt: hourEnds,
      ...(reached(load.lastHour, limits.messagesPerHour) ? { resetsIn: hourEnds ? seconds(hourEnds) : 3600 } : {}),
    },
    {
      name: "tokensPerDay",
      limit: limits.tokensPerDay,
      used: load.tokensToday,
      resetsAt: midnight,
      ...(reached(load.tokensToday, limits.tokensPerDay) ? { resetsIn: seconds(midnight) } : {}),
    },
    {
      name: "concurrent",
      limit: limits.concurrent,
      used: load.active,
      // Frees up when an answer ends: no clock to promise, so clients are told to look again soon.
      ...(reached(load.active, limits.concurrent) ? { resetsIn: 5 } : {}),
    },
    // Never "reached" here: a full storage refuses an upload (413 storage_full), not a send.
    { name: "storageBytes", limit: limits.storageBytes, used: load.storageBytes ?? 0 },
  ];
}

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** The sentence of a refusal: which limit, what was used, when it resets. */
export function refusalSentence(state: QuotaState, guest: boolean): string {
  const wait = formatDuration(state.resetsIn ?? 1);
  let sentence: string;
  switch (state.name) {
    case "concurrent":
      sentence = `You have reached the limit of answers generating at once (${formatCount(state.used)} of ${formatCount(state.limit)}). It frees up as soon as one finishes: wait for it or stop it, then send again.`;
      break;
    case "messagesPerHour":
      sentence = `You sent ${plural(state.used, "message", "messages")} in the last hour; the limit is ${formatCount(state.limit)} an hour. It resets as your oldest message leaves the hour: try again in ${wait}${state.resetsAt ? ` (at ${utcClock(state.resetsAt)})` : ""}.`;
      break;
    case "tokensPerDay":
      sentence = `You used ${plural(state.used, "token", "tokens")} today; the limit is ${formatCount(state.limit)} a day. It resets at midnight UTC, in ${wait}.`;
      break;
    case "storageBytes":
      sentence = `Your files use ${formatBytes(state.used)} of ${formatBytes(state.limit)}.`;
      break;
  }
  return guest ? `${sentence} Create an account for higher limits.` : sentence;
}

/**
 * The 429 to answer when the load has reached a quota; null when everything is below its limit.
 * When several are reached, the one that frees up last is named: Retry-After is when a send can
 * succeed, not merely when one of the reasons is gone.
 */
export function quotaRefusal(load: QuotaLoad, quotas: Quotas, guest: boolean, now: Date = new Date()): AppError | null {
  const reached = quotaStates(load, quotas, now).filter((s) => s.resetsIn !== undefined);
  if (reached.length === 0) return null;
  const state = reached.reduce((a, b) => (b.resetsIn! > a.resetsIn! ? b : a));
  return new AppError("rate_limited", refusalSentence(state, guest), {
    retryAfter: state.resetsIn,
    details: { limit: state.name, used: state.used, max: state.limit },
  });
}
