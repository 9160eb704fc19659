import { and, eq, isNull, sql } from "drizzle-orm";
import { getDb } from "../client.ts";
import { apiTokens, users, type User, type UserRole } from "../schema.ts";
import { preparedFor } from "./util.ts";

export async function findUserByEmail(email: string): Promise<User | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return row;
}

/** Creates a password account; undefined when the email is taken (the unique index decides). */
export async function insertPasswordUser(input: {
  email: string;
  name: string | null;
  passwordHash: string;
}): Promise<User | undefined> {
  const db = await getDb();
  const [row] = await db
    .insert(users)
    .values({ email: input.email, name: input.name, passwordHash: input.passwordHash })
    .onConflictDoNothing({ target: users.email })
    .returning();
  return row;
}

/** What a request may act as: the account behind a session or a token, as it is now. */
export interface AccountRow {
  id: string;
  email: string | null;
  name: string | null;
  role: UserRole;
  guest: boolean;
  disabled: boolean;
}

const accountColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  guest: users.guest,
  disabled: sql<boolean>`${users.disabledAt} is not null`,
};

const findAccountStatement = preparedFor((db) =>
  db.select(accountColumns).from(users).where(eq(users.id, sql.placeholder("id"))).limit(1).prepare("find_account"),
);

/** The account of a session's user id; undefined when it no longer exists. */
export async function findAccount(id: string): Promise<AccountRow | undefined> {
  const [row] = await findAccountStatement(await getDb()).execute({ id });
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
