import { z } from "zod";
import { route } from "@/lib/http/route";
import { invitableRole, memberParams } from "@/lib/http/params";
import { changeRole, removeMember } from "@/lib/chat/members";

export const dynamic = "force-dynamic";

/** Makes a member an editor or a viewer (the owner only): {member}. */
export const PATCH = route({ params: memberParams, body: z.object({ role: invitableRole }) }, async ({ user, params, body }) =>
  Response.json({ member: await changeRole({ userId: user.id, chatUuid: params.uuid, memberId: params.user_id, role: body.role }) }),
);

/** Removes a member (the owner), or leaves the chat (your own id): {removed: true}. */
export const DELETE = route({ params: memberParams }, async ({ user, params }) => {
  await removeMember({ userId: user.id, chatUuid: params.uuid, memberId: params.user_id });
  return Response.json({ removed: true });
});
