import { publicReadRoute } from "@/lib/http/route";
import { chatAfterParams } from "@/lib/http/params";
import { getSharedMessages } from "@/lib/chat/share";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";
// A poll may start the recovery of an interrupted answer with after(): it runs within this.
export const maxDuration = 300;

/** Public: the shared chat's messages after last_uuid; 404 unknown_last_message when it is not in the chat. */
export const GET = publicReadRoute({ params: chatAfterParams }, async ({ params }) =>
  Response.json(await getSharedMessages({ shareUuid: params.uuid, lastUuid: params.last_uuid })),
);
