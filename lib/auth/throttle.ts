/**
 * Rate limits of sign-in and sign-up, kept in PostgreSQL so that every app instance counts
 * the same attempts. Emails and addresses are stored as keyed hashes.
 *
 * Failed sign-ins are throttled per account **and** client address, with growing delays: after
 * SIGNIN_FREE_FAILURES failures from one address, each further try at that account from that
 * address must wait twice as long as the one before (1 s, 2 s, 4 s…), and after
 * SIGNIN_MAX_FAILURES_PER_ACCOUNT of them the pair is locked until the window has passed. A
 * stranger therefore locks only their own address out of the account, never its owner. Each
 * address also has a ceiling over all accounts (SIGNIN_MAX_FAILURES_PER_IP), so guessing across
 * many accounts is capped too. The address is the socket's unless TRUST_PROXY names proxies
 * (lib/http/client-ip.ts): a forged X-Forwarded-For does not make a new address. Sign-ups (and
 * guests) are counted per address (REGISTER_*).
 */
import "server-only";
import { createHmac } from "node:crypto";
import type { AuthAttemptScope } from "@/db/schema";
import { attemptStats, clearAttempts, recordAttempts, secondsUntilBelow, type AttemptKey } from "@/db/queries/auth-attempts";
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

/** Which limit a sign-in hits right now ("account" from this address, or "ip"), with the seconds to wait; null when none. */
export async function signInLock(subject: SignInSubject): Promise<{ limit: "account" | "ip"; seconds: number } | null> {
  const e = env();
  const windowSeconds = e.SIGNIN_WINDOW_SECONDS;
  if (e.SIGNIN_MAX_FAILURES_PER_ACCOUNT > 0) {
    const { count, secondsSinceLast } = await attemptStats({ key: pairKey(subject), windowSeconds });
    if (count >= e.SIGNIN_MAX_FAILURES_PER_ACCOUNT) {
      const seconds = await secondsUntilBelow({ key: pairKey(subject), max: e.SIGNIN_MAX_FAILURES_PER_ACCOUNT, windowSeconds });
      if (seconds > 0) return { limit: "account", seconds };
    } else if (count >= SIGNIN_FREE_FAILURES) {
      const delay = Math.min(windowSeconds, 2 ** (count - SIGNIN_FREE_FAILURES));
      const seconds = delay - secondsSinceLast;
      if (seconds > 0) return { limit: "account", seconds };
    }
  }
  if (subject.ip && e.SIGNIN_MAX_FAILURES_PER_IP > 0) {
    const seconds = await secondsUntilBelow({ key: key("signin_ip", subject.ip), max: e.SIGNIN_MAX_FAILURES_PER_IP, windowSeconds });
    if (seconds > 0) return { limit: "ip", seconds };
  }
  return null;
}

export async function recordSignInFailure(subject: SignInSubject): Promise<void> {
  const keys = [pairKey(subject)];
  if (subject.ip) keys.push(key("signin_ip", subject.ip));
  await recordAttempts({ keys, keepSeconds: longestWindow() });
}

/** A successful sign-in forgets the failures of this account from this address (not the address's). */
export async function recordSignInSuccess(subject: SignInSubject): Promise<void> {
  await clearAttempts(pairKey(subject));
}

/** Counts a sign-up from `ip`, or throws 429 rate_limited when the address made too many. */
export async function admitRegistration(ip: string | undefined): Promise<void> {
  const e = env();
  if (!ip || e.REGISTER_MAX_PER_IP === 0) return;
  const k = key("register_ip", ip);
  const seconds = await secondsUntilBelow({ key: k, max: e.REGISTER_MAX_PER_IP, windowSeconds: e.REGISTER_WINDOW_SECONDS });
  if (seconds > 0) {
    const minutes = Math.ceil(seconds / 60);
    throw new AppError("rate_limited", `Too many accounts were created from your network. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, {
      retryAfter: seconds,
    });
  }
  await recordAttempts({ keys: [k], keepSeconds: longestWindow() });
}

/**
 * A per-subject hourly budget (chat creation, imports, mails): counts one use, or throws 429
 * with the wait when `max` were used within the last hour. `max` 0: no limit.
 */
export async function admitHourly(input: { scope: AuthAttemptScope; subject: string; max: number; what: string }): Promise<void> {
  if (input.max === 0) return;
  const k = key(input.scope, input.subject);
  const seconds = await secondsUntilBelow({ key: k, max: input.max, windowSeconds: 3600 });
  if (seconds > 0) {
    const minutes = Math.ceil(seconds / 60);
    throw new AppError("rate_limited", `You ${input.what} ${input.max} times in the last hour, the limit. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, {
      retryAfter: seconds,
    });
  }
  await recordAttempts({ keys: [k], keepSeconds: longestWindow() });
}
