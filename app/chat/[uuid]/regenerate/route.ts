import { z } from "zod";
import { route } from "@/lib/http/route";
import { chatParams, timeZoneParam, optionalText } from "@/lib/http/params";
import { regenerate } from "@/lib/chat/queue";
import { messageFragment } from "@/lib/html/fragments";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";
export const maxDuration = 300;

const body = z.object({ model: optionalText(200), timeZone: timeZoneParam });

/** Answers the chat's last user message again: 201 {message} (that user message); the previous answer stays as another version (docs/design.md §3.12). */
export const POST = route({ params: chatParams, body }, async ({ user, params, body, htmx }) => {
  const { message } = await regenerate({ userId: user.id, chatUuid: params.uuid, model: body.model, timeZone: body.timeZone });
  return htmx ? messageFragment(message, 201) : Response.json({ message }, { status: 201 });
});
