import { route } from "@/lib/http/route";
import { myInvitations } from "@/lib/chat/members";

export const dynamic = "force-dynamic";

/** The invitations by email waiting for my answer: {invitations: [{uuid, chat, role, invitedBy, createdAt}]}. */
export const GET = route({}, async ({ user }) => Response.json({ invitations: await myInvitations(user.id) }));
