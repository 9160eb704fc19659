/**
 * Who is an admin: a user whose stored role is `admin` (the first account ever registered, or
 * one promoted in the database), or whose email is in ADMIN_EMAILS. The list is read at every
 * check, not copied into the row at sign-up: it covers OAuth accounts too, and removing an
 * address takes the role away at once.
 */
import "server-only";
import { env } from "../env";
import type { UserRole } from "@/db/schema";

export function effectiveRole(account: { role: UserRole; email: string | null; guest: boolean }): UserRole {
  if (account.role === "admin") return "admin";
  const email = account.email?.toLowerCase();
  return !account.guest && email && env().ADMIN_EMAILS.includes(email) ? "admin" : "user";
}
