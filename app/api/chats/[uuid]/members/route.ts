import { z } from "zod";
import { route } from "@/lib/http/route";
import { chatParams, invitableRole } from "@/lib/http/params";
import { getMembers, inviteByEmail } from "@/lib/chat/members";

export const dynamic = "force-dynamic";

/** The chat's members (any member), with its open invite links (the owner): {members, invites?, role}. */
export const GET = route({ params: chatParams }, async ({ user, params }) => Response.json(await getMembers({ userId: user.id, chatUuid: params.uuid })));

const invite = z.object({
  email: z.string().trim().max(254).toLowerCase().pipe(z.email({ message: "enter a valid email address" })),
  role: invitableRole.default("editor"),
});

/** Adds the account with this email (the owner only): 201 {member}, or 200 when they were a member already. */
export const POST = route({ params: chatParams, body: invite }, async ({ user, params, body }) => {
  const { member, created } = await inviteByEmail({ userId: user.id, chatUuid: params.uuid, ...body });
  return Response.json({ member }, { status: created ? 201 : 200 });
});
