/**
 * GET /chat/{uuid}/messages (rewritten here, see lib/http/poll-routes.ts): all messages of the
 * chat, oldest first: {messages, chat, presence, generation}. `?typing=1`: the reader's draft is
 * not empty.
 */
import { pagesPollRoute } from "@/lib/http/pages-route";
import { chatParams } from "@/lib/http/params";
import { getMessages } from "@/lib/chat/polls";
import { messagesFragment } from "@/lib/html/fragments";

// Statically read by Next: no body to parse; on Vercel a poll that resumes an answer runs this long.
export const config = { api: { bodyParser: false }, maxDuration: 300 };

export default pagesPollRoute({ route: "/chat/[uuid]/messages", params: chatParams }, async ({ identity, params, htmx, query }) => {
  const result = await getMessages({ userId: identity.id, chatUuid: params.uuid, typing: query("typing") === "1" });
  return htmx ? messagesFragment(result) : { json: result };
});
