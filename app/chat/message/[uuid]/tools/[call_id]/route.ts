import { z } from "zod";
import { route } from "@/lib/http/route";
import { toolCallParams } from "@/lib/http/params";
import { decideTool } from "@/lib/chat/tools";

export const dynamic = "force-dynamic";

const body = z.object({
  // JSON true/false, or a form's "1"/"0" (the htmx page).
  approve: z.union([z.boolean(), z.enum(["1", "0", "true", "false"]).transform((s) => s === "1" || s === "true")], { message: "must be true or false" }),
});

/**
 * A member's answer to a tool call that waits for approval: 200 {approved}; 409
 * not_awaiting_approval once it was decided or ended; 403 for a viewer (docs/design.md §3.11).
 */
export const POST = route({ params: toolCallParams, body }, async ({ user, params, body, htmx }) => {
  const result = await decideTool({ userId: user.id, messageUuid: params.uuid, callId: params.call_id, approve: body.approve });
  return htmx ? new Response(null, { status: 204 }) : Response.json(result);
});
