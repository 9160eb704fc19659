import { z } from "zod";
import { route } from "@/lib/http/route";
import { chatParams, invitableRole } from "@/lib/http/params";
import { getMembers, inviteByEmail } from "@/lib/chat/members";

export const dynamic = "force-dynamic";

/** The chat's members (any member), with its open invite links and pending invitations (the owner): {members, invites?, pending?, role}. */
export const GET = route({ params: chatParams }, async ({ user, params }) => Response.json(await getMembers({ userId: user.id, chatUuid: params.uuid })));

const invite = z.object({
  email: z.string().trim().max(254).toLowerCase().pipe(z.email({ message: "enter a valid email address" })),
  role: invitableRole.default("editor"),
});

/**
 * Invites the account with this (verified) email, the owner only: 202 {invitation} waiting for
 * their answer (nobody joins without accepting); 200 {member} when they were a member already
 * (promoted if the role is higher, never demoted).
 */
export const POST = route({ params: chatParams, body: invite }, async ({ user, params, body }) => {
  const result = await inviteByEmail({ userId: user.id, chatUuid: params.uuid, ...body });
  return result.kind === "member" ? Response.json({ member: result.member }) : Response.json({ invitation: result.invitation }, { status: 202 });
});
