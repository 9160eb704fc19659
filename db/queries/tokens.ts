/** Personal API tokens (the lookup by hash for each request is in users.ts: findAccountByTokenHash). */
import "server-only";
import { and, count, desc, eq, isNull, sql } from "drizzle-orm";
import { getDb } from "../client.ts";
import { apiTokens, users, type ApiToken } from "../schema.ts";

export type ApiTokenRow = Pick<ApiToken, "uuid" | "name" | "prefix" | "createdAt" | "lastUsedAt">;

const listed = {
  uuid: apiTokens.uuid,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
};

/**
 * Stores a new token's hash, unless the user already has `max` live tokens. The user's row is
 * locked for the count, so two creations at once cannot both pass it.
 */
export async function insertApiToken(input: {
  uuid: string;
  userId: string;
  name: string;
  tokenHash: string;
  prefix: string;
  max: number;
}): Promise<{ kind: "created"; token: ApiTokenRow } | { kind: "too_many" }> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    await tx.select({ id: users.id }).from(users).where(eq(users.id, input.userId)).for("update");
    const [live] = await tx
      .select({ n: count() })
      .from(apiTokens)
      .where(and(eq(apiTokens.userId, input.userId), isNull(apiTokens.revokedAt)));
    if ((live?.n ?? 0) >= input.max) return { kind: "too_many" as const };
    const [token] = await tx
      .insert(apiTokens)
      .values({ uuid: input.uuid, userId: input.userId, name: input.name, tokenHash: input.tokenHash, prefix: input.prefix })
      .returning(listed);
    return { kind: "created" as const, token: token! };
  });
}

/** The user's live tokens, newest first (never the hash). */
export async function listApiTokens(input: { userId: string }): Promise<ApiTokenRow[]> {
  const db = await getDb();
  return db
    .select(listed)
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, input.userId), isNull(apiTokens.revokedAt)))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.uuid));
}

/** Revokes one of the user's tokens (again: no change); false when it is not theirs or does not exist. */
export async function revokeApiToken(input: { uuid: string; userId: string }): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(apiTokens)
    .set({ revokedAt: sql`coalesce(${apiTokens.revokedAt}, now())` })
    .where(and(eq(apiTokens.uuid, input.uuid), eq(apiTokens.userId, input.userId)))
    .returning({ uuid: apiTokens.uuid });
  return rows.length > 0;
}
