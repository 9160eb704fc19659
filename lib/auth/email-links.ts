/**
 * Links sent by mail: verifying an address, resetting a password. Each is one-time (consumed
 * in the statement that reads it), expiring, and only its hash is stored. Links point at
 * AUTH_URL when it is set, else at the host the request was sent to: its Host header, or
 * X-Forwarded-Host/-Proto only when TRUST_PROXY says proxies are in front (the rule of
 * lib/http/client-ip.ts: without one, a client writes what it likes there, and Next.js keeps
 * it). Set AUTH_URL in production all the same: a client sending straight to the app chooses
 * its Host header too.
 */
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { consumeEmailToken, insertEmailToken, markEmailVerified, resetPassword } from "@/db/queries/email-tokens";
import { findUserByEmail } from "@/db/queries/users";
import { devLink, sendMail } from "../mail/mailer";
import { AppError } from "../errors";
import { env } from "../env";
import { socketAddress } from "../http/socket-address";
import { log } from "../log";
import { hashPassword } from "./password";
import { hashGate } from "./hash-gate";
import { admitHourly } from "./throttle";
import { forgetLiveSession } from "./session-live";

export const VERIFY_TTL_SECONDS = 24 * 3600;
export const RESET_TTL_SECONDS = 3600;
/** Mails of either kind per account (and per address asking for resets) and hour. */
const MAILS_PER_HOUR = 5;

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
const hashToken = (token: string) => createHash("sha256").update(`email:${token}`).digest("hex");
const newToken = () => randomBytes(32).toString("base64url");

export function appOrigin(req: Request): string {
  // AUTH_URL is validated at start (lib/env.ts): a URL when set.
  const e = env();
  const configured = e.AUTH_URL ?? e.NEXTAUTH_URL;
  if (configured) return new URL(configured).origin;
  const url = new URL(req.url);
  const proxied = e.TRUST_PROXY > 0;
  const host = (proxied ? req.headers.get("x-forwarded-host") : null) ?? req.headers.get("host");
  const forwardedProto = proxied ? req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().replace(/:$/, "") : undefined;
  // Without a proxy, req.url's scheme is Next's reading of the client's X-Forwarded-Proto; a
  // request stamped at the socket came through this process's plain HTTP server.
  const proto = forwardedProto === "https" || forwardedProto === "http" ? forwardedProto : !proxied && socketAddress(req.headers) ? "http" : url.protocol.replace(":", "");
  if (host && /^[A-Za-z0-9.:[\]-]+$/.test(host)) return `${proto}://${host}`;
  return url.origin;
}

/** Mails a verification link to the account's address; in development without SMTP, answers the link too. */
export async function sendVerification(input: { userId: string; email: string; origin: string }): Promise<{ sent: true; devLink?: string }> {
  await admitHourly({ scope: "mail", subject: input.userId, max: MAILS_PER_HOUR, what: "asked for a mail" });
  const token = newToken();
  await insertEmailToken({ kind: "verify", userId: input.userId, email: input.email, tokenHash: hashToken(token), ttlSeconds: VERIFY_TTL_SECONDS });
  const link = `${input.origin}/verify-email?token=${token}`;
  await deliver({
    to: input.email,
    subject: "Confirm your email address for PollChat",
    text: `Hello,\n\nconfirm that this address is yours by opening this link (valid for 24 hours):\n\n${link}\n\nIf you did not create a PollChat account, ignore this mail.\n`,
  });
  return { sent: true, ...devLink(link) };
}

/** Follows a verification link: true when it verified the address. */
export async function verifyEmail(token: string): Promise<boolean> {
  if (!TOKEN_RE.test(token)) return false;
  const found = await consumeEmailToken("verify", hashToken(token));
  return found ? markEmailVerified(found) : false;
}

export const forgotBody = z.object({ email: z.string().trim().max(254).toLowerCase().pipe(z.email({ message: "enter a valid email address" })) });
export const resetBody = z.object({
  token: z.string().regex(TOKEN_RE, { message: "this link is not valid" }),
  password: z.string().min(8, { message: "use at least 8 characters" }).max(1024, { message: "use at most 1024 characters" }),
});

/**
 * Mails a reset link when an account (not a guest) uses the address. The answer is the same
 * either way, so it does not tell who has an account; only the development link shows it.
 */
export async function requestPasswordReset(input: { email: string; origin: string; ip: string | undefined }): Promise<{ devLink?: string }> {
  await admitHourly({ scope: "mail", subject: `reset-ip:${input.ip ?? ""}`, max: 4 * MAILS_PER_HOUR, what: "asked for a password reset" });
  const user = await findUserByEmail(input.email);
  if (!user || user.guest || user.disabledAt || !user.email) return {};
  try {
    await admitHourly({ scope: "mail", subject: user.id, max: MAILS_PER_HOUR, what: "asked for a mail" });
  } catch {
    return {}; // the same answer: the limit of an account would otherwise tell that it exists
  }
  const token = newToken();
  await insertEmailToken({ kind: "reset", userId: user.id, email: user.email, tokenHash: hashToken(token), ttlSeconds: RESET_TTL_SECONDS });
  const link = `${input.origin}/reset-password?token=${token}`;
  await deliver({
    to: user.email,
    subject: "Reset your PollChat password",
    text: `Hello,\n\nsomeone (hopefully you) asked to reset the password of your PollChat account. Choose a new one here (valid for one hour, once):\n\n${link}\n\nIf it was not you, ignore this mail: your password stays as it is.\n`,
  });
  return devLink(link);
}

/** Sets a new password from a reset link; every session of the account ends. */
export async function completePasswordReset(input: { token: string; password: string }): Promise<void> {
  const found = await consumeEmailToken("reset", hashToken(input.token));
  if (!found) throw new AppError("not_found", "This reset link is not valid: it may have expired or been used. Ask for a new one.");
  const passwordHash = await hashGate(() => hashPassword(input.password));
  const changed = await resetPassword({ ...found, passwordHash });
  forgetLiveSession({ userId: found.userId });
  if (!changed) {
    throw new AppError("not_found", "This reset link is not valid: it may have expired or been used. Ask for a new one.");
  }
}

async function deliver(mail: { to: string; subject: string; text: string }): Promise<void> {
  try {
    await sendMail(mail);
  } catch (err) {
    log().error({ err }, "could not send a mail");
    throw new AppError("service_unavailable", "The mail could not be sent right now. Try again in a moment.", { retryAfter: 30, cause: err });
  }
}
