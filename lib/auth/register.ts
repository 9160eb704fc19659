import { z } from "zod";
import { AppError } from "../errors";
import { storableText } from "../text";
import { insertPasswordUser } from "@/db/queries/users";
import { hashPassword } from "./password";
import { admitRegistration } from "./throttle";

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

/** Creates a password account; `ip` counts towards the sign-ups allowed per address. */
export async function registerUser(input: RegisterInput, ip: string | undefined) {
  await admitRegistration(ip);
  const user = await insertPasswordUser({
    email: input.email,
    name: input.name,
    passwordHash: await hashPassword(input.password),
  });
  if (!user) throw new AppError("email_taken", "An account with this email already exists. Sign in instead.");
  return { id: user.id, email: user.email, name: user.name };
}
