import { pollRoute } from "@/lib/http/route";
import { chatAfterParams, typingParam } from "@/lib/http/params";
import { getMessages } from "@/lib/chat/service";
import { messagesFragment } from "@/lib/html/fragments";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";
// A poll may start the recovery of an interrupted answer with after(): it runs within this.
export const maxDuration = 300;

/**
 * Messages after last_uuid, oldest first, with who else is here: {messages, chat, presence, generation};
 * 404 unknown_last_message when it is not in the chat. `?typing=1`: the reader's draft is not empty.
 */
export const GET = pollRoute({ params: chatAfterParams }, async ({ identity, params, htmx, req }) => {
  const result = await getMessages({ userId: identity.id, chatUuid: params.uuid, typing: typingParam(req), lastUuid: params.last_uuid });
  return htmx ? messagesFragment(result) : Response.json(result);
});
