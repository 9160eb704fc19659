import { z } from "zod";
import { route } from "@/lib/http/route";
import { chatParams, invitableRole } from "@/lib/http/params";
import { createInvite, DEFAULT_INVITE_HOURS, MAX_INVITE_HOURS } from "@/lib/chat/members";

export const dynamic = "force-dynamic";

const body = z.object({
  role: invitableRole.default("editor"),
  expiresInHours: z.coerce.number().int().min(1).max(MAX_INVITE_HOURS).default(DEFAULT_INVITE_HOURS),
});

/** A new invite link (the owner only): 201 {invite: {uuid, role, createdAt, expiresAt, token, path}}; the token is shown once. */
export const POST = route({ params: chatParams, body }, async ({ user, params, body }) =>
  Response.json(await createInvite({ userId: user.id, chatUuid: params.uuid, ...body }), { status: 201 }),
);
