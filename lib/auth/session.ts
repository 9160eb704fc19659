/** The signed-in user of a page (server components) or of /lite, with an active account. */
import "server-only";
import { cache } from "react";
import { auth } from "./config";
import { AppError } from "../errors";
import { findAccount } from "@/db/queries/users";
import { activeAccount, identify, type SessionUser } from "./identity";
import { effectiveRole } from "./roles";
import type { RequestHead } from "../http/request-head";

// Who is asking lives in ./identity (the polls load it without next-auth); re-exported for the rest.
export { accountDisabled, activeAccount, API_TOKEN_PREFIX, hashApiToken, identify, type Identity, type SessionUser } from "./identity";

/**
 * For pages (server components): the signed-in user with an active account, or null (the page
 * redirects to sign in). Once per request.
 */
export const pageUser = cache(async (): Promise<SessionUser | null> => {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  const account = await findAccount(id);
  if (!account || account.disabled) return null;
  return { id, email: account.email, name: account.name, role: effectiveRole(account), guest: account.guest, via: "session" };
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
