/**
 * Personal API tokens (README, "API tokens"): `pc_` and 32 random bytes in base64url, shown
 * once when made. Only the SHA-256 (hashApiToken) is stored, with the first characters so a
 * person can tell tokens apart. A revoked token stops at its next request: every request
 * looks the hash up (lib/auth/session.ts), nothing is cached.
 *
 * A request made with a token cannot make tokens: a leaked token must not be able to mint
 * others that outlive its revocation. Listing and revoking work with one (a script may revoke
 * its own token).
 */
import "server-only";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { AppError, notFound } from "../errors";
import { uuidv7 } from "../ids";
import { storableText } from "../text";
import { API_TOKEN_PREFIX, hashApiToken, type SessionUser } from "../auth/session";
import { insertApiToken, listApiTokens, revokeApiToken, type ApiTokenRow } from "@/db/queries/tokens";
import type { ApiTokenDto } from "@/lib/contract";

/** The body of POST /api/tokens. */
export const createTokenBody = z.object({ name: z.string().trim().min(1, { message: "give the token a name" }).max(100) });

/** Live tokens one user may hold. */
export const MAX_TOKENS_PER_USER = 50;
/** Characters kept for display: "pc_" and 8 of the 43 random ones. */
const DISPLAY_PREFIX_CHARS = API_TOKEN_PREFIX.length + 8;

function toDto(t: ApiTokenRow): ApiTokenDto {
  return { uuid: t.uuid, name: t.name, prefix: t.prefix, createdAt: t.createdAt.toISOString(), lastUsedAt: t.lastUsedAt?.toISOString() ?? null };
}

export async function createApiToken(input: { user: SessionUser; name: string }): Promise<{ token: string; apiToken: ApiTokenDto }> {
  if (input.user.via === "token") {
    throw new AppError("forbidden", "An API token cannot create tokens. Sign in and create it on the API tokens page.");
  }
  const token = API_TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const result = await insertApiToken({
    uuid: uuidv7(),
    userId: input.user.id,
    name: storableText(input.name),
    tokenHash: hashApiToken(token),
    prefix: token.slice(0, DISPLAY_PREFIX_CHARS),
    max: MAX_TOKENS_PER_USER,
  });
  if (result.kind === "too_many") {
    throw new AppError("conflict", `You already have ${MAX_TOKENS_PER_USER} API tokens, the most one account may hold. Revoke one you no longer use first.`);
  }
  return { token, apiToken: toDto(result.token) };
}

export async function listTokens(input: { userId: string }): Promise<ApiTokenDto[]> {
  return (await listApiTokens(input)).map(toDto);
}

export async function revokeToken(input: { userId: string; uuid: string }): Promise<void> {
  if (!(await revokeApiToken(input))) throw notFound("API token not found.");
}
