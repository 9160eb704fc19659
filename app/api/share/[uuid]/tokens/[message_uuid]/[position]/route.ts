import { publicReadRoute } from "@/lib/http/route";
import { partsCursorParam, sharedTokensParams } from "@/lib/http/params";
import { getSharedTokens } from "@/lib/chat/share";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";
export const maxDuration = 300;

/** Public: a message of the shared chat from `position` on: {tokens, status, append, position}, and `?parts=` what changed in its parts. */
export const GET = publicReadRoute({ params: sharedTokensParams }, async ({ params, req }) => {
  const parts = partsCursorParam(new URL(req.url).searchParams.get("parts"));
  return Response.json(
    await getSharedTokens({ shareUuid: params.uuid, messageUuid: params.message_uuid, position: params.position, ...(parts === undefined ? {} : { parts }) }),
  );
});
