import { z } from "zod";
import { route } from "@/lib/http/route";
import { acceptInvitation, declineInvitation } from "@/lib/chat/members";
import { uuidString } from "@/lib/http/params";

export const dynamic = "force-dynamic";

const params = z.object({ uuid: uuidString });

/** Accepts an invitation addressed to me: {chatUuid, role}; 404 when it is not (or no longer) mine. */
export const POST = route({ params }, async ({ user, params }) => Response.json(await acceptInvitation({ userId: user.id, uuid: params.uuid })));

/** Declines it: {declined: true}; 404 when it is not (or no longer) mine. */
export const DELETE = route({ params }, async ({ user, params }) => {
  await declineInvitation({ userId: user.id, uuid: params.uuid });
  return Response.json({ declined: true });
});
