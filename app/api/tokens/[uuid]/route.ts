import { route } from "@/lib/http/route";
import { tokenParams } from "@/lib/http/params";
import { revokeToken } from "@/lib/tokens/api-tokens";

export const dynamic = "force-dynamic";

/** Revokes one of the user's tokens: it stops working at its next request. Idempotent: {revoked: true}. */
export const DELETE = route({ params: tokenParams }, async ({ user, params }) => {
  await revokeToken({ userId: user.id, uuid: params.uuid });
  return Response.json({ revoked: true });
});
