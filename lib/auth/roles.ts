/**
 * Who is an admin: a user whose stored role is `admin` (the first account ever registered while
 * ADMIN_EMAILS is empty, or one promoted in the database), or whose email is in ADMIN_EMAILS
 * **and verified** (a link sent to it was followed, or GitHub/Google reported it verified).
 * Claiming an address proves nothing: whoever registers boss@x.test with their own password is
 * not its owner until they read its mail. The list is read at every check, not copied into the
 * row at sign-up: it covers OAuth accounts too, and removing an address takes the role away at once.
 */
import "server-only";
import { env } from "../env";
import type { UserRole } from "@/db/schema";

export function effectiveRole(account: { role: UserRole; email: string | null; guest: boolean; emailVerified: Date | boolean | null }): UserRole {
  if (account.role === "admin") return "admin";
  const email = account.email?.toLowerCase();
  return !account.guest && account.emailVerified && email && env().ADMIN_EMAILS.includes(email) ? "admin" : "user";
}

/** The first account becomes admin only when the operator named none (ADMIN_EMAILS empty). */
export function firstAccountIsAdmin(): boolean {
  return env().ADMIN_EMAILS.length === 0;
}
