/**
 * One-time links sent by mail (address verification, password reset) and what they change.
 * Tokens live in Auth.js's verification_token table: only a hash is stored, `identifier` says
 * what the token is for (`verify:` or `reset:`, the user id and the address it was sent to).
 * Consuming deletes the row in the same statement: a link works once.
 */
import "server-only";
import { and, eq, gt, like, lt, sql } from "drizzle-orm";
import { getDb } from "../client.ts";
import { sessions, users, verificationTokens } from "../schema.ts";

export type EmailTokenKind = "verify" | "reset";

export async function insertEmailToken(input: { kind: EmailTokenKind; userId: string; email: string; tokenHash: string; ttlSeconds: number }): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    // A new link replaces the older ones of the same kind (and expired ones go).
    await tx.delete(verificationTokens).where(like(verificationTokens.identifier, `${input.kind}:${input.userId}:%`));
    await tx.delete(verificationTokens).where(lt(verificationTokens.expires, sql`now()`));
    await tx.insert(verificationTokens).values({
      identifier: `${input.kind}:${input.userId}:${input.email}`,
      token: input.tokenHash,
      expires: sql`now() + make_interval(secs => ${input.ttlSeconds})`,
    });
  });
}

/** The user and address of a live token, deleting it (single use); undefined when unknown or expired. */
export async function consumeEmailToken(kind: EmailTokenKind, tokenHash: string): Promise<{ userId: string; email: string } | undefined> {
  const db = await getDb();
  const [row] = await db
    .delete(verificationTokens)
    .where(and(eq(verificationTokens.token, tokenHash), like(verificationTokens.identifier, `${kind}:%`), gt(verificationTokens.expires, sql`now()`)))
    .returning({ identifier: verificationTokens.identifier });
  if (!row) return undefined;
  const [, userId = "", ...rest] = row.identifier.split(":");
  return { userId, email: rest.join(":") };
}

/** Marks the address verified, if the account still has that address. */
export async function markEmailVerified(input: { userId: string; email: string }): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(users)
    .set({ emailVerified: sql`coalesce(${users.emailVerified}, now())` })
    .where(and(eq(users.id, input.userId), eq(users.email, input.email)))
    .returning({ id: users.id });
  return rows.length > 0;
}

/**
 * A new password from a reset link: the address is proved too (the link came by mail), and every
 * session of the account ends (whoever knew the old password is signed out).
 */
export async function resetPassword(input: { userId: string; email: string; passwordHash: string }): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(users)
      .set({ passwordHash: input.passwordHash, emailVerified: sql`coalesce(${users.emailVerified}, now())` })
      .where(and(eq(users.id, input.userId), eq(users.email, input.email), eq(users.guest, false)))
      .returning({ id: users.id });
    if (rows.length === 0) return false;
    await tx.delete(sessions).where(eq(sessions.userId, input.userId));
    return true;
  });
}
