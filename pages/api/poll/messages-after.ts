/**
 * GET /chat/{uuid}/messages/{last_uuid} (rewritten here, see lib/http/poll-routes.ts): the
 * messages after last_uuid, oldest first, with who else is here: {messages, chat, presence,
 * generation}; 404 unknown_last_message when it is not in the chat. `?typing=1`: the reader's
 * draft is not empty.
 */
import { pagesPollRoute } from "@/lib/http/pages-route";
import { chatAfterParams } from "@/lib/http/params";
import { getMessages } from "@/lib/chat/polls";
import { messagesFragment } from "@/lib/html/fragments";

// Statically read by Next: no body to parse; on Vercel a poll that resumes an answer runs this long.
export const config = { api: { bodyParser: false }, maxDuration: 300 };

export default pagesPollRoute({ route: "/chat/[uuid]/messages/[last_uuid]", params: chatAfterParams }, async ({ identity, params, htmx, query }) => {
  const result = await getMessages({ userId: identity.id, chatUuid: params.uuid, lastUuid: params.last_uuid, typing: query("typing") === "1" });
  return htmx ? messagesFragment(result) : { json: result };
});
