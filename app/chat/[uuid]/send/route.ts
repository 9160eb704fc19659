import { z } from "zod";
import { route } from "@/lib/http/route";
import { attachmentsParam, chatParams, timeZoneParam, optionalText, optionalUuid } from "@/lib/http/params";
import { sendMessage } from "@/lib/chat/queue";
import { messageFragment } from "@/lib/html/fragments";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";
// On Vercel, the function that answers a send goes on generating with after() for up to this long.
export const maxDuration = 300;

const body = z.object({
  // The length limit (413) is checked by the service, in code points. Empty with attachments.
  content: z.string({ message: "is required" }),
  uuid: optionalUuid,
  model: optionalText(200),
  timeZone: timeZoneParam,
  attachments: attachmentsParam,
});

/**
 * Stores the user's message and queues its answer: 201 {message}; a replayed uuid answers the
 * stored message with 200; 409 generation_in_progress while the chat is answering.
 */
export const POST = route({ params: chatParams, body }, async ({ user, params, body, htmx }) => {
  const { message, created } = await sendMessage({ userId: user.id, chatUuid: params.uuid, ...body });
  const status = created ? 201 : 200;
  return htmx ? messageFragment(message, status) : Response.json({ message }, { status });
});
