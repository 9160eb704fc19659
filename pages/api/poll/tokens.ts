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
  if (!htmx) return { json: result };
  // /lite formats an answer once it is final: that takes its whole text, once per answer.
  const final = result.status !== "pending";
  const whole = !final || params.position === 0 || !result.append ? result.tokens : (await getTokens({ userId: identity.id, messageUuid: params.uuid, position: 0 })).tokens;
  return tokensFragment(params.uuid, result, final ? whole : undefined);
});
