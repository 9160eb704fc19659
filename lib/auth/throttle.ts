/**
 * Rate limits of sign-in and sign-up, kept in PostgreSQL so that every app instance counts
 * the same attempts. Failed sign-ins are counted per account and per client address over a
 * sliding window (SIGNIN_*); a locked account stays locked even for the right password until
 * the window has passed, so guessing is capped whatever the attacker does. Sign-ups are
 * counted per address (REGISTER_*). Emails and addresses are stored as keyed hashes.
 */
import "server-only";
import { createHmac } from "node:crypto";
import type { AuthAttemptScope } from "@/db/schema";
import { clearAttempts, recordAttempts, secondsUntilBelow, type AttemptKey } from "@/db/queries/auth-attempts";
import { env } from "../env";
import { clientIp } from "../http/client-ip";
import { AppError } from "../errors";
import { ensureAuthSecret } from "./secret";

function key(scope: AuthAttemptScope, value: string): AttemptKey {
  // Keyed: a leaked table does not give away which emails or addresses tried.
  const subject = createHmac("sha256", ensureAuthSecret()).update(`${scope}\0${value}`).digest("base64url");
  return { scope, subject };
}

export function requestIp(req: Request | undefined): string | undefined {
  return req ? clientIp(req.headers, env().TRUST_PROXY) : undefined;
}

function longestWindow(): number {
  const e = env();
  return Math.max(e.SIGNIN_WINDOW_SECONDS, e.REGISTER_WINDOW_SECONDS);
}

export interface SignInSubject {
  email: string;
  ip: string | undefined;
}

/** Which limit a sign-in hits right now ("account" or "ip"), with the seconds to wait; null when none. */
export async function signInLock({ email, ip }: SignInSubject): Promise<{ limit: "account" | "ip"; seconds: number } | null> {
  const e = env();
  const windowSeconds = e.SIGNIN_WINDOW_SECONDS;
  if (e.SIGNIN_MAX_FAILURES_PER_ACCOUNT > 0) {
    const seconds = await secondsUntilBelow({ key: key("signin_account", email), max: e.SIGNIN_MAX_FAILURES_PER_ACCOUNT, windowSeconds });
    if (seconds > 0) return { limit: "account", seconds };
  }
  if (ip && e.SIGNIN_MAX_FAILURES_PER_IP > 0) {
    const seconds = await secondsUntilBelow({ key: key("signin_ip", ip), max: e.SIGNIN_MAX_FAILURES_PER_IP, windowSeconds });
    if (seconds > 0) return { limit: "ip", seconds };
  }
  return null;
}

export async function recordSignInFailure({ email, ip }: SignInSubject): Promise<void> {
  const keys = [key("signin_account", email)];
  if (ip) keys.push(key("signin_ip", ip));
  await recordAttempts({ keys, keepSeconds: longestWindow() });
}

/** A successful sign-in forgets the account's failures (not the address's). */
export async function recordSignInSuccess({ email }: SignInSubject): Promise<void> {
  await clearAttempts(key("signin_account", email));
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
