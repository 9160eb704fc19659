import { route } from "@/lib/http/route";
import { createApiToken, createTokenBody, listTokens } from "@/lib/tokens/api-tokens";

export const dynamic = "force-dynamic";

/** The user's live API tokens, newest first: {tokens: [{uuid, name, prefix, createdAt, lastUsedAt}]}. */
export const GET = route({}, async ({ user }) => Response.json({ tokens: await listTokens({ userId: user.id }) }));

/** A new token, shown this once: 201 {token: "pc_...", apiToken}. Needs a session, not a token. */
export const POST = route({ body: createTokenBody }, async ({ user, body }) =>
  Response.json(await createApiToken({ user, name: body.name }), { status: 201 }),
);
