/**
 * Who is asking. Two steps, because the 300 ms polls must not pay for the second one:
 *
 * 1. Identity (`identify`): the Auth.js session cookie, decoded directly and briefly cached
 *    (request-session.ts), or `Authorization: Bearer <API token>` (looked up by its hash, so a
 *    revoked token stops at once).
 * 2. Account (`activeAccount`): the user row as it is now: a disabled account, or one that
 *    was deleted, is refused at once even though its session cookie is still valid. Route
 *    handlers check it in the guard; the two poll queries check it themselves, in the same
 *    round trip (lib/chat/polls.ts), and the guard skips it for them.
 *
 * Nothing here imports Auth.js's Next.js integration (next-auth), only its JWT decoding: the
 * polls (Pages API routes) load this module too, and next-auth does not load there.
 */
import "server-only";
import { createHash } from "node:crypto";
import { requestSessionUser } from "./request-session";
import { AppError } from "../errors";
import { findAccountByTokenHash, findSessionAccount, touchApiToken, type AccountRow } from "@/db/queries/users";
import { log } from "../log";
import { changeCache } from "../changes/cache";
import { effectiveRole } from "./roles";
import type { RequestHead } from "../http/request-head";

/** The identity behind a request, before its account is checked. */
export interface Identity {
  id: string;
  email: string | null;
  name: string | null;
  /** "token": an API token; its account was checked in the same lookup. */
  via: "session" | "token";
  /** The session's id (via "session"): signed out when its row is gone. */
  sid?: string;
  account?: AccountRow;
}

/** A signed-in user whose account is active. */
export interface SessionUser {
  id: string;
  email: string | null;
  name: string | null;
  role: AccountRow["role"];
  guest: boolean;
  /** The address is proved (a mailed link was followed, or the OAuth provider says so). */
  emailVerified: boolean;
  via: Identity["via"];
  sid?: string;
}

export const API_TOKEN_PREFIX = "pc_";

export function hashApiToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

const TOUCH_EVERY_MS = 60_000;
const touched = new Map<string, number>();

function noteTokenUse(tokenUuid: string, lastUsedAt: Date | null): void {
  const now = Date.now();
  if ((lastUsedAt && now - lastUsedAt.getTime() < TOUCH_EVERY_MS) || now - (touched.get(tokenUuid) ?? 0) < TOUCH_EVERY_MS) return;
  if (touched.size > 10_000) touched.clear();
  touched.set(tokenUuid, now);
  touchApiToken(tokenUuid).catch((err: unknown) => log().warn({ err }, "could not record an API token's use"));
}

/** A token's account by the token's hash, while nothing of that account changed (lib/changes/cache.ts). */
const tokenAccounts = changeCache<NonNullable<Awaited<ReturnType<typeof findAccountByTokenHash>>>>("api_token");

/** The bearer token of the request, if it sends one that looks like ours. */
function bearerToken(req: RequestHead): string | undefined | null {
  const header = req.headers.get("authorization");
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  // Any other Authorization header is refused rather than ignored: the caller meant something.
  return m && m[1]!.startsWith(API_TOKEN_PREFIX) && m[1]!.length <= 200 ? m[1]! : null;
}

/** Who the request says it is; null: nobody (or a bad token). */
export async function identify(req: RequestHead): Promise<Identity | null> {
  const token = bearerToken(req);
  if (token === null) return null;
  if (token !== undefined) {
    const hash = hashApiToken(token);
    let account = tokenAccounts.get(hash);
    if (!account) {
      const at = tokenAccounts.begin();
      account = await findAccountByTokenHash(hash);
      if (!account) return null;
      // Revoking the token or changing the account announces `u:<user>` (lib/changes/feed.ts).
      tokenAccounts.set(hash, at, account, [`u:${account.id}`], null);
    }
    noteTokenUse(account.tokenUuid, account.lastUsedAt);
    return { id: account.id, email: account.email, name: account.name, via: "token", account };
  }
  const user = await requestSessionUser(req);
  return user ? { ...user, via: "session" } : null;
}

export const accountDisabled = () =>
  new AppError("account_disabled", "This account has been disabled by an administrator. Contact them to have it enabled again.");

/** The identity's account as it is now; throws 401 (gone, or its session ended) or 403 (disabled). */
export async function activeAccount(identity: Identity): Promise<SessionUser> {
  const account = identity.account ?? (identity.sid ? await findSessionAccount(identity.id, identity.sid) : undefined);
  if (!account) throw new AppError("unauthorized", "Sign in to continue.");
  if (account.disabled) throw accountDisabled();
  return toSessionUser(account, identity);
}

export function toSessionUser(account: AccountRow, identity: Pick<Identity, "via" | "sid">): SessionUser {
  return {
    id: account.id,
    email: account.email,
    name: account.name,
    role: effectiveRole(account),
    guest: account.guest,
    emailVerified: account.emailVerified !== null,
    via: identity.via,
    ...(identity.sid ? { sid: identity.sid } : {}),
  };
}
