/** The signed-in user of a page (server components) or of /lite, with an active account. */
import "server-only";
import { cache } from "react";
import { headers } from "next/headers";
import { AppError } from "../errors";
import { activeAccount, identify, type SessionUser } from "./identity";
import { requestSessionUser } from "./request-session";
import type { RequestHead } from "../http/request-head";

// Who is asking lives in ./identity (the polls load it without next-auth); re-exported for the rest.
export { accountDisabled, activeAccount, API_TOKEN_PREFIX, hashApiToken, identify, type Identity, type SessionUser } from "./identity";

/**
 * For pages (server components): the signed-in user with an active account and a live session,
 * or null (the page redirects to sign in). Once per request. The session cookie only (pages are
 * not called with API tokens).
 */
export const pageUser = cache(async (): Promise<SessionUser | null> => {
  const h = await headers();
  const head: RequestHead = { method: "GET", url: "http://page/", headers: h };
  const session = await requestSessionUser(head);
  if (!session) return null;
  try {
    return await activeAccount({ ...session, via: "session" });
  } catch (err) {
    if (err instanceof AppError) return null;
    throw err;
  }
});

/** For route handlers that are not in the guard (/lite): like pageUser, from the request. */
export async function getSessionUser(req: RequestHead): Promise<SessionUser | null> {
  const identity = await identify(req);
  if (!identity) return null;
  try {
    return await activeAccount(identity);
  } catch (err) {
    if (err instanceof AppError) return null;
    throw err;
  }
}
