import { publicReadRoute } from "@/lib/http/route";
import { chatParams } from "@/lib/http/params";
import { getSharedMessages } from "@/lib/chat/share";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";
// A poll may start the recovery of an interrupted answer with after(): it runs within this.
export const maxDuration = 300;

/** Public, by the share uuid: all messages of the shared chat, oldest first: {messages, chat}. */
export const GET = publicReadRoute({ params: chatParams }, async ({ params }) => Response.json(await getSharedMessages({ shareUuid: params.uuid })));
