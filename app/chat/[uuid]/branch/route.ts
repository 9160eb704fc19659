import { z } from "zod";
import { route } from "@/lib/http/route";
import { chatParams, uuidString } from "@/lib/http/params";
import { switchToVersion } from "@/lib/chat/branches";
import { branchFragment } from "@/lib/html/fragments";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const body = z.object({ messageUuid: uuidString });

/**
 * Switches the conversation to the branch through one version of a message (docs/design.md
 * §3.12): 200 {chat, messages, presence, generation}, the messages poll of the whole chat after
 * the switch. Idempotent; 409 while an answer is generated.
 */
export const POST = route({ params: chatParams, body }, async ({ user, params, body, htmx }) => {
  const found = await switchToVersion({ userId: user.id, chatUuid: params.uuid, messageUuid: body.messageUuid });
  return htmx ? branchFragment(found) : Response.json(found);
});
