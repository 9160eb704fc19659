/**
 * The session of a route handler's request, decoded directly and cached briefly.
 *
 * Why: `auth()` runs the whole Auth.js session action on every call: it derives the key
 * (HKDF), decrypts the JWE, runs the callbacks, then encrypts a refreshed token for a
 * Set-Cookie that a route handler throws away. A poll every 300 ms paid all of that each
 * time (bench/RESULTS.md: it was most of a poll's CPU). Here the cookie Auth.js would
 * read is decrypted with the same secret and salt, and the result is kept in a bounded
 * in-process map keyed by a hash of the cookie, for at most SESSION_CACHE_MS and never past
 * the token's own expiry. Answers are the same as auth()'s: no cookie, a malformed, forged or
 * expired one give null (401), and nothing new is accepted (no Bearer header, no other name).
 * The token's session id (`sid`) is checked against the `session` table with the account, on
 * every request (lib/auth/identity.ts), so sign-out still ends a cached session at once. A token
 * without one (made before session ids existed) counts as no session.
 */
import "server-only";
import { createHash } from "node:crypto";
import { getToken } from "next-auth/jwt";
import { ensureAuthSecret } from "./secret";
import { env } from "../env";
import type { RequestHead } from "../http/request-head";

export interface CachedUser {
  id: string;
  email: string | null;
  name: string | null;
  /** The session's id: it must still have its row in `session` (sign-out deletes it). */
  sid: string;
}

const SESSION_CACHE_MS = 60_000;
const MAX_ENTRIES = 10_000;
const cache = new Map<string, { user: CachedUser; until: number }>();

/** Auth.js names the cookie `__Secure-…` when the app's URL is https (AUTH_URL, else the request's). */
function secureCookies(req: RequestHead): boolean {
  const envUrl = env().AUTH_URL ?? env().NEXTAUTH_URL;
  if (envUrl) return new URL(envUrl).protocol === "https:";
  const proto = req.headers.get("x-forwarded-proto") ?? "https";
  return (proto.endsWith(":") ? proto : `${proto}:`) === "https:";
}

function remember(key: string, user: CachedUser, expSeconds: number | undefined): void {
  const until = Math.min(Date.now() + SESSION_CACHE_MS, typeof expSeconds === "number" ? expSeconds * 1000 : 0);
  if (until <= Date.now()) return;
  if (cache.size >= MAX_ENTRIES) {
    // Oldest first (insertion order): drop the expired, or else the oldest one.
    const now = Date.now();
    for (const [k, v] of cache) if (v.until <= now) cache.delete(k);
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  }
  cache.set(key, { user, until });
}

export async function requestSessionUser(req: RequestHead): Promise<CachedUser | null> {
  const cookie = req.headers.get("cookie");
  if (!cookie) return null;
  const secureCookie = secureCookies(req);
  // The whole cookie header: chunked session cookies (name.0, name.1…) are part of it. Another
  // cookie changing only costs a miss.
  const key = createHash("sha256").update(secureCookie ? "s" : "p").update(cookie).digest("base64url");
  const hit = cache.get(key);
  if (hit && hit.until > Date.now()) return hit.user;
  if (hit) cache.delete(key);
  // Only the cookie header reaches getToken: it would otherwise also accept a Bearer header.
  const token = await getToken({ req: { headers: new Headers({ cookie }) }, secret: ensureAuthSecret(), secureCookie });
  if (!token?.sub || typeof token.sid !== "string") return null;
  const user: CachedUser = {
    id: token.sub,
    sid: token.sid,
    email: typeof token.email === "string" ? token.email : null,
    name: typeof token.name === "string" ? token.name : null,
  };
  remember(key, user, token.exp);
  return user;
}

/** For tests: forget every cached session. */
export function clearSessionCache(): void {
  cache.clear();
}
