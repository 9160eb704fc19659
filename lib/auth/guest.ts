/**
 * Guests ("try without an account", ALLOW_GUESTS=true): a real user row with guest=true and no
 * email or password, signed in through Auth.js's Credentials provider `guest`. Guests count
 * towards the sign-ups allowed per address (REGISTER_MAX_PER_IP), get the GUEST_* quotas, and
 * keep everything when they sign up later (lib/auth/register.ts converts the same row).
 */
import "server-only";
import { env } from "../env";
import { AppError, notFound } from "../errors";
import { insertGuestUser } from "@/db/queries/users";
import { admitRegistration } from "./throttle";

export const GUEST_PROVIDER_ID = "guest";

export const guestsAllowed = (): boolean => env().ALLOW_GUESTS;

/** Auth.js paths of the guest provider: 404 while guests are not allowed (lib/auth/guard.ts). */
export function isGuestAuthPath(pathname: string): boolean {
  return /^\/api\/auth\/(callback|signin)\/guest\/?$/.test(pathname);
}

export const guestsOff = () => notFound("Guests are not allowed on this server. Create an account instead.");

/** Creates a guest user for a client address; throws 429 rate_limited past the sign-ups allowed per address. */
export async function createGuest(ip: string | undefined): Promise<{ id: string; name: string }> {
  if (!guestsAllowed()) throw guestsOff();
  await admitRegistration(ip);
  const user = await insertGuestUser({ name: "Guest" });
  if (!user.name) throw new AppError("internal_error", "The guest account could not be created.");
  return { id: user.id, name: user.name };
}
