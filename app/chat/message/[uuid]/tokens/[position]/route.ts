import { pollRoute } from "@/lib/http/route";
import { tokensParams } from "@/lib/http/params";
import { getTokens } from "@/lib/chat/service";
import { tokensFragment } from "@/lib/html/fragments";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";
export const maxDuration = 300;

/** The message's text from `position` (code points) on: {tokens, status, append, position}. */
export const GET = pollRoute({ params: tokensParams }, async ({ identity, params, htmx }) => {
  const result = await getTokens({ userId: identity.id, messageUuid: params.uuid, position: params.position });
  return htmx ? tokensFragment(params.uuid, result) : Response.json(result);
});
