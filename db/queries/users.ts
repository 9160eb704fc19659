import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import { getDb } from "../client.ts";
import { apiTokens, sessions, users, type User, type UserRole } from "../schema.ts";
import { isUniqueViolation, preparedFor } from "./util.ts";
import type { Tx } from "./access.ts";

export async function findUserByEmail(email: string): Promise<User | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return row;
}

/**
 * The role of an account being created or converted from a guest: `admin` for the first account
 * ever (guests do not count), `user` after it. Serialized by an advisory lock held until the
 * transaction ends, so two first sign-ups at once cannot both become admin.
 */
async function roleOfNewAccount(tx: Tx, firstIsAdmin: boolean): Promise<UserRole> {
  if (!firstIsAdmin) return "user";
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('pollchat:first-account'))`);
  const [any] = await tx.select({ id: users.id }).from(users).where(eq(users.guest, false)).limit(1);
  return any ? "user" : "admin";
}

/** Creates a password account; undefined when the email is taken (the unique index decides). */
export async function insertPasswordUser(input: {
  email: string;
  name: string | null;
  passwordHash: string;
  firstIsAdmin: boolean;
}): Promise<User | undefined> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const role = await roleOfNewAccount(tx, input.firstIsAdmin);
    const [row] = await tx
      .insert(users)
      .values({ email: input.email, name: input.name, passwordHash: input.passwordHash, role })
      .onConflictDoNothing({ target: users.email })
      .returning();
    return row;
  });
}

/**
 * Creates an account for Auth.js's adapter (OAuth sign-ups), with the same first-account rule as
 * a password sign-up.
 */
export async function insertAdapterUser(
  input: Omit<typeof users.$inferInsert, "role" | "guest" | "quota" | "passwordHash" | "disabledAt">,
  firstIsAdmin: boolean,
): Promise<User> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const role = await roleOfNewAccount(tx, firstIsAdmin);
    const [row] = await tx.insert(users).values({ ...input, role }).returning();
    return row!;
  });
}

/** A guest user ("try without an account"): no email, no password; tighter quotas by default. */
export async function insertGuestUser(input: { name: string }): Promise<User> {
  const db = await getDb();
  const [row] = await db.insert(users).values({ name: input.name, guest: true }).returning();
  return row!;
}

export type ConvertResult = { kind: "converted"; user: User } | { kind: "email_taken" } | { kind: "not_a_guest" };

/**
 * Turns a guest into a password account in place: the same row, so every chat, message and
 * usage record stays theirs. Only a live guest row is converted (a second conversion, or a
 * disabled guest, changes nothing).
 */
export async function convertGuestUser(input: { id: string; email: string; name: string | null; passwordHash: string; firstIsAdmin: boolean }): Promise<ConvertResult> {
  const db = await getDb();
  try {
    return await db.transaction(async (tx): Promise<ConvertResult> => {
      const role = await roleOfNewAccount(tx, input.firstIsAdmin);
      const [row] = await tx
        .update(users)
        .set({ email: input.email, name: input.name ?? sql`${users.name}`, passwordHash: input.passwordHash, guest: false, role })
        .where(and(eq(users.id, input.id), eq(users.guest, true), isNull(users.disabledAt)))
        .returning();
      return row ? { kind: "converted", user: row } : { kind: "not_a_guest" };
    });
  } catch (err) {
    if (isUniqueViolation(err, "user_email_unique")) return { kind: "email_taken" };
    throw err;
  }
}

/** What a request may act as: the account behind a session or a token, as it is now. */
export interface AccountRow {
  id: string;
  email: string | null;
  name: string | null;
  role: UserRole;
  guest: boolean;
  disabled: boolean;
  emailVerified: Date | null;
}

const accountColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  guest: users.guest,
  disabled: sql<boolean>`${users.disabledAt} is not null`,
  emailVerified: users.emailVerified,
};

const findAccountStatement = preparedFor((db) =>
  db.select(accountColumns).from(users).where(eq(users.id, sql.placeholder("id"))).limit(1).prepare("find_account"),
);

/** The account of a user id; undefined when it no longer exists. */
export async function findAccount(id: string): Promise<AccountRow | undefined> {
  const [row] = await findAccountStatement(await getDb()).execute({ id });
  return row ? { ...row, disabled: Boolean(row.disabled) } : undefined;
}

const findSessionAccountStatement = preparedFor((db) =>
  db
    .select(accountColumns)
    .from(users)
    .innerJoin(sessions, and(eq(sessions.sessionToken, sql.placeholder("sid")), eq(sessions.userId, users.id), sql`${sessions.expires} > now()`))
    .where(eq(users.id, sql.placeholder("id")))
    .limit(1)
    .prepare("find_session_account"),
);

/** The account of a session (user id and session id); undefined when either is gone (signed out). */
export async function findSessionAccount(id: string, sid: string): Promise<AccountRow | undefined> {
  const [row] = await findSessionAccountStatement(await getDb()).execute({ id, sid });
  return row ? { ...row, disabled: Boolean(row.disabled) } : undefined;
}

const findAccountByTokenStatement = preparedFor((db) =>
  db
    .select({ ...accountColumns, tokenUuid: apiTokens.uuid, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, sql.placeholder("hash")), isNull(apiTokens.revokedAt)))
    .limit(1)
    .prepare("find_account_by_token"),
);

/** The account of a live (not revoked) API token, by the token's hash. */
export async function findAccountByTokenHash(hash: string): Promise<(AccountRow & { tokenUuid: string; lastUsedAt: Date | null }) | undefined> {
  const [row] = await findAccountByTokenStatement(await getDb()).execute({ hash });
  return row ? { ...row, disabled: Boolean(row.disabled) } : undefined;
}

/** Records that a token was used (callers do it at most once a minute per token). */
export async function touchApiToken(tokenUuid: string): Promise<void> {
  const db = await getDb();
  await db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.uuid, tokenUuid));
}
