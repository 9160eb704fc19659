/**
 * GET /chat/message/{uuid}/tokens/{position} (rewritten here, see lib/http/poll-routes.ts): the
 * message's text from `position` (code points) on: {tokens, status, append, position}.
 */
import { pagesPollRoute } from "@/lib/http/pages-route";
import { tokensParams } from "@/lib/http/params";
import { getTokens } from "@/lib/chat/polls";
import { tokensFragment } from "@/lib/html/fragments";

// Statically read by Next: no body to parse; on Vercel a poll that resumes an answer runs this long.
export const config = { api: { bodyParser: false }, maxDuration: 300 };

export default pagesPollRoute({ route: "/chat/message/[uuid]/tokens/[position]", params: tokensParams }, async ({ identity, params, htmx }) => {
  const result = await getTokens({ userId: identity.id, messageUuid: params.uuid, position: params.position });
  return htmx ? tokensFragment(params.uuid, result) : { json: result };
});
