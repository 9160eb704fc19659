import { route } from "@/lib/http/route";
import { inviteTokenParams } from "@/lib/http/params";
import { acceptInvite, inviteInfo } from "@/lib/chat/members";

export const dynamic = "force-dynamic";

/** What an invite link offers: {invite: {chatUuid, chatTitle, role, invitedBy, memberRole}}; 404 once expired or revoked. */
export const GET = route({ params: inviteTokenParams }, async ({ user, params }) =>
  Response.json({ invite: await inviteInfo({ userId: user.id, token: params.token }) }),
);

/** Joins the chat of an invite link: {chatUuid, role}; idempotent (a member keeps the higher role). */
export const POST = route({ params: inviteTokenParams }, async ({ user, params }) => Response.json(await acceptInvite({ userId: user.id, token: params.token })));
