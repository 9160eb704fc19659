import { pollRoute } from "@/lib/http/route";
import { chatParams, typingParam } from "@/lib/http/params";
import { getMessages } from "@/lib/chat/service";
import { messagesFragment } from "@/lib/html/fragments";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";
// A poll may start the recovery of an interrupted answer with after(): it runs within this.
export const maxDuration = 300;

/** All messages of the chat, oldest first: {messages, chat, presence, generation}. `?typing=1`: the reader's draft is not empty. */
export const GET = pollRoute({ params: chatParams }, async ({ identity, params, htmx, req }) => {
  const result = await getMessages({ userId: identity.id, chatUuid: params.uuid, typing: typingParam(req) });
  return htmx ? messagesFragment(result) : Response.json(result);
});
