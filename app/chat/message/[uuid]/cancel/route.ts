import { route } from "@/lib/http/route";
import { messageParams } from "@/lib/http/params";
import { cancelMessage } from "@/lib/chat/queue";
import { messageFragment } from "@/lib/html/fragments";

export const dynamic = "force-dynamic";

/** Stops the generation of this message (or of the answer to it), keeping the partial text; idempotent. */
export const POST = route({ params: messageParams }, async ({ user, params, htmx }) => {
  const message = await cancelMessage({ userId: user.id, messageUuid: params.uuid });
  return htmx ? messageFragment(message, 200) : Response.json({ message });
});
