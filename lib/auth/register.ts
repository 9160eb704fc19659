import "server-only";
import { z } from "zod";
import { AppError } from "../errors";
import { storableText } from "../text";
import { convertGuestUser, insertPasswordUser } from "@/db/queries/users";
import { hashPassword } from "./password";
import { admitRegistration } from "./throttle";
import { hashGate } from "./hash-gate";
import { firstAccountIsAdmin } from "./roles";
import { sendVerification } from "./email-links";
import { log } from "../log";

export const registerBody = z.object({
  email: z
    .string()
    .trim()
    .max(254)
    .toLowerCase()
    .pipe(z.email({ message: "enter a valid email address" })),
  password: z
    .string()
    .min(8, { message: "use at least 8 characters" })
    .max(1024, { message: "use at most 1024 characters" }),
  // NUL cannot be stored in a text column: it would fail the insert (500) instead of being kept.
  name: z.string().trim().max(100).optional().transform((s) => (s ? storableText(s) : null)),
});

export type RegisterInput = z.infer<typeof registerBody>;

/**
 * Creates a password account; `ip` counts towards the sign-ups allowed per address. A guest who
 * signs up (`guestId`: the guest signed in on this request) becomes that account in place, so
 * every chat they had stays theirs; their session is then renewed by signing in with the new
 * credentials, as after any sign-up.
 */
export async function registerUser(input: RegisterInput, ip: string | undefined, guestId?: string) {
  await admitRegistration(ip);
  const passwordHash = await hashGate(() => hashPassword(input.password));
  const firstIsAdmin = firstAccountIsAdmin();
  if (guestId) {
    const result = await convertGuestUser({ id: guestId, email: input.email, name: input.name, passwordHash, firstIsAdmin });
    if (result.kind === "email_taken") throw emailTaken();
    if (result.kind === "converted") return { id: result.user.id, email: input.email, name: result.user.name, emailVerified: false, converted: true };
    // No longer a guest (converted meanwhile, or disabled): a new account, as for anyone else.
  }
  const user = await insertPasswordUser({ email: input.email, name: input.name, passwordHash, firstIsAdmin });
  if (!user) throw emailTaken();
  return { id: user.id, email: input.email, name: user.name, emailVerified: false, converted: false };
}

/**
 * Mails the new account its verification link. The account exists whatever happens here: a
 * mail that cannot go out now is sent again from the banner ("Send the link again").
 */
export async function sendFirstVerification(user: { id: string; email: string }, origin: string): Promise<{ sent: boolean; devLink?: string }> {
  try {
    return await sendVerification({ userId: user.id, email: user.email, origin });
  } catch (err) {
    log().warn({ err }, "verification mail not sent at sign-up");
    return { sent: false };
  }
}

const emailTaken = () => new AppError("email_taken", "An account with this email already exists. Sign in instead.");
