import { route } from "@/lib/http/route";
import { inviteParams } from "@/lib/http/params";
import { revokeInvite } from "@/lib/chat/members";

export const dynamic = "force-dynamic";

/** Revokes an invite link at once (the owner only; idempotent): {revoked: true}. */
export const DELETE = route({ params: inviteParams }, async ({ user, params }) => {
  await revokeInvite({ userId: user.id, chatUuid: params.uuid, inviteUuid: params.invite_uuid });
  return Response.json({ revoked: true });
});
