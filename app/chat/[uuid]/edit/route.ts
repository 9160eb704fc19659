import { z } from "zod";
import { route } from "@/lib/http/route";
import { attachmentsParam, chatParams, timeZoneParam, optionalText, optionalUuid, uuidString } from "@/lib/http/params";
import { editMessage } from "@/lib/chat/queue";
import { messageFragment } from "@/lib/html/fragments";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";
export const maxDuration = 300;

const body = z.object({
  messageUuid: uuidString,
  content: z.string({ message: "is required" }),
  uuid: optionalUuid,
  model: optionalText(200),
  timeZone: timeZoneParam,
  attachments: attachmentsParam,
});

/**
 * Edits a user message and answers it again: a new version of the message (201 {message}; a
 * replayed `uuid` answers 200 with the stored one); the old one and everything after it stay,
 * as another branch (docs/design.md §3.12). The new version keeps the old one's files unless
 * `attachments` names its own (§3.13).
 */
export const POST = route({ params: chatParams, body }, async ({ user, params, body, htmx }) => {
  const { message, created } = await editMessage({ userId: user.id, chatUuid: params.uuid, ...body });
  const status = created ? 201 : 200;
  return htmx ? messageFragment(message, status) : Response.json({ message }, { status });
});
