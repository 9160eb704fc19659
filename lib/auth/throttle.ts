/**
 * Rate limits of sign-in and sign-up, kept in PostgreSQL so that every app instance counts
 * the same attempts. Emails and addresses are stored as keyed hashes.
 *
 * Failed sign-ins are throttled per account **and** client address, with growing delays: after
 * SIGNIN_FREE_FAILURES failures from one address, each further try at that account from that
 * address must wait twice as long as the one before (1 s, 2 s, 4 s…), and after
 * SIGNIN_MAX_FAILURES_PER_ACCOUNT of them the pair is locked until the window has passed. A
 * try is counted as a failure before its password is checked, in the step that checks the
 * limits (beginSignIn): guesses sent together cannot all slip past the check. A
 * stranger therefore locks only their own address out of the account, never its owner. Each
 * address also has a ceiling over all accounts (SIGNIN_MAX_FAILURES_PER_IP), so guessing across
 * many accounts is capped too. The address is the socket's unless TRUST_PROXY names proxies
 * (lib/http/client-ip.ts): a forged X-Forwarded-For does not make a new address. Sign-ups (and
 * guests) are counted per address (REGISTER_*).
 */
import "server-only";
import { createHmac } from "node:crypto";
import type { AuthAttemptScope } from "@/db/schema";
import { attemptStats, clearAttempts, forgetAttempts, lockedAttempts, recordAttempts, secondsUntilBelow, type AttemptKey } from "@/db/queries/auth-attempts";
import type { Tx } from "@/db/queries/access";
import { env } from "../env";
import { clientIp } from "../http/client-ip";
import { AppError } from "../errors";
import { ensureAuthSecret } from "./secret";

/** Failures of one account from one address before the delays start. */
export const SIGNIN_FREE_FAILURES = 3;

export function attemptKey(scope: AuthAttemptScope, value: string): AttemptKey {
  // Keyed: a leaked table does not give away which emails or addresses tried.
  const subject = createHmac("sha256", ensureAuthSecret()).update(`${scope}\0${value}`).digest("base64url");
  return { scope, subject };
}
const key = attemptKey;

export function requestIp(req: Request | undefined): string | undefined {
  return req ? clientIp(req.headers, env().TRUST_PROXY) : undefined;
}

function longestWindow(): number {
  const e = env();
  return Math.max(e.SIGNIN_WINDOW_SECONDS, e.REGISTER_WINDOW_SECONDS, 3600);
}

export interface SignInSubject {
  email: string;
  ip: string | undefined;
}

const pairKey = ({ email, ip }: SignInSubject) => key("signin_account_ip", `${email}\0${ip ?? ""}`);
const ipKey = (ip: string) => key("signin_ip", ip);

/**
 * The wait before the next try at an account from an address that failed `failures` times:
 * none for the first SIGNIN_FREE_FAILURES, then 1 s, 2 s, 4 s… (never past the window).
 */
export function signInDelaySeconds(failures: number, windowSeconds: number): number {
  return failures < SIGNIN_FREE_FAILURES ? 0 : Math.min(windowSeconds, 2 ** (failures - SIGNIN_FREE_FAILURES));
}

export type SignInLock = { limit: "account" | "ip"; seconds: number };

/** Which limit a sign-in hits right now ("account" from this address, or "ip"), with the seconds to wait; null when none. */
async function signInLock(tx: Tx, subject: SignInSubject): Promise<SignInLock | null> {
  const e = env();
  const windowSeconds = e.SIGNIN_WINDOW_SECONDS;
  if (e.SIGNIN_MAX_FAILURES_PER_ACCOUNT > 0) {
    const pair = pairKey(subject);
    const { count, secondsSinceLast } = await attemptStats(tx, { key: pair, windowSeconds });
    if (count >= e.SIGNIN_MAX_FAILURES_PER_ACCOUNT) {
      const seconds = await secondsUntilBelow(tx, { key: pair, max: e.SIGNIN_MAX_FAILURES_PER_ACCOUNT, windowSeconds });
      if (seconds > 0) return { limit: "account", seconds };
    } else {
      const seconds = signInDelaySeconds(count, windowSeconds) - secondsSinceLast;
      if (seconds > 0) return { limit: "account", seconds };
    }
  }
  if (subject.ip && e.SIGNIN_MAX_FAILURES_PER_IP > 0) {
    const seconds = await secondsUntilBelow(tx, { key: ipKey(subject.ip), max: e.SIGNIN_MAX_FAILURES_PER_IP, windowSeconds });
    if (seconds > 0) return { limit: "ip", seconds };
  }
  return null;
}

/** A sign-in admitted past the limits, counted as failed until its password proves right. */
export interface SignInAttempt {
  /** The password was right: the attempt is taken back and the account's failures from this address forgotten (not the address's). */
  succeeded(): Promise<void>;
  /** The password was never checked (the server was too busy): the attempt is taken back. */
  withdraw(): Promise<void>;
}

/**
 * Checks a sign-in against the limits and, in the same locked step, counts it as a failure,
 * before the password is hashed. Checked first and counted after the hash, N guesses sent at
 * once would all pass the check; counted up front, at most the limits' worth of passwords are
 * ever evaluated, however many arrive together. A locked sign-in is not counted.
 */
export async function beginSignIn(subject: SignInSubject): Promise<{ locked: SignInLock } | { attempt: SignInAttempt }> {
  const keys = [pairKey(subject)];
  if (subject.ip) keys.push(ipKey(subject.ip));
  const taken = await lockedAttempts(keys, async (tx): Promise<{ locked: SignInLock } | { ids: number[] }> => {
    const locked = await signInLock(tx, subject);
    if (locked) return { locked };
    return { ids: await recordAttempts(tx, { keys, keepSeconds: longestWindow() }) };
  });
  if ("locked" in taken) return { locked: taken.locked };
  return {
    attempt: {
      async succeeded() {
        await forgetAttempts(taken.ids);
        await clearAttempts(pairKey(subject));
      },
      withdraw: () => forgetAttempts(taken.ids),
    },
  };
}

/** Counts a sign-up from `ip`, or throws 429 rate_limited when the address made too many. */
export async function admitRegistration(ip: string | undefined): Promise<void> {
  const e = env();
  if (!ip) return;
  await takeHourly({
    scope: "register_ip",
    subject: ip,
    max: e.REGISTER_MAX_PER_IP,
    windowSeconds: e.REGISTER_WINDOW_SECONDS,
    what: "created an account",
    refusal: ({ wait }) => `Too many accounts were created from your network. Try again in ${inMinutes(wait ?? e.REGISTER_WINDOW_SECONDS)}.`,
  });
}

/** Uses taken from an hourly budget, some of which may be given back (`takeHourly`). */
export interface HourlyUses {
  giveBack(uses: number): Promise<void>;
}

/** Why `takeHourly` refused: `left` uses remain now, `wait` seconds until `uses` fit (none when `uses` > `max`). */
export interface HourlyRefusal {
  uses: number;
  max: number;
  left: number;
  wait: number | undefined;
}

/**
 * A per-subject budget over a window, an hour unless `windowSeconds` says otherwise (chat
 * creation, imports, mails; sign-ups per address): takes `uses` (default one) at once, all or
 * none, or throws 429 when fewer than that are left within the window (with the wait until
 * they are; none when `uses` is more than `max` itself). Checked and counted in one locked
 * step, so requests sent together cannot overdraw it. `max` 0: no limit. The message completes
 * "You … N times in the last hour" with `what`, or is `refusal`'s.
 */
export async function takeHourly(input: {
  scope: AuthAttemptScope;
  subject: string;
  max: number;
  what: string;
  uses?: number;
  windowSeconds?: number;
  refusal?: (r: HourlyRefusal) => string;
}): Promise<HourlyUses> {
  const uses = input.uses ?? 1;
  const windowSeconds = input.windowSeconds ?? 3600;
  const none: HourlyUses = { giveBack: async () => {} };
  if (input.max === 0 || uses === 0) return none;
  const k = key(input.scope, input.subject);
  const taken = await lockedAttempts([k], async (tx): Promise<{ left: number; wait: number | undefined } | { ids: number[] }> => {
    const { count } = await attemptStats(tx, { key: k, windowSeconds });
    const left = Math.max(0, input.max - count);
    if (uses > input.max) return { left, wait: undefined };
    // Room for `uses` more once the (max - uses + 1)-th newest use has left the window.
    const wait = await secondsUntilBelow(tx, { key: k, max: input.max - uses + 1, windowSeconds });
    if (wait > 0) return { left, wait };
    return { ids: await recordAttempts(tx, { keys: [k], keepSeconds: longestWindow(), times: uses }) };
  });
  if (!("ids" in taken)) {
    const refusal = { uses, max: input.max, ...taken };
    const message = input.refusal?.(refusal) ?? `You ${input.what} ${input.max} times in the last hour, the limit. Try again in ${inMinutes(taken.wait ?? windowSeconds)}.`;
    throw new AppError("rate_limited", message, taken.wait === undefined ? {} : { retryAfter: taken.wait });
  }
  const ids = taken.ids;
  return { giveBack: (n) => forgetAttempts(ids.splice(0, Math.max(0, Math.min(n, ids.length)))) };
}

export const inMinutes = (seconds: number): string => {
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
};

/** `takeHourly` of one use, never given back. */
export async function admitHourly(input: { scope: AuthAttemptScope; subject: string; max: number; what: string }): Promise<void> {
  await takeHourly(input);
}
