import { z } from "zod";
import { publicReadRoute } from "@/lib/http/route";
import { uuidString } from "@/lib/http/params";
import { serveForShare } from "@/lib/files/attachments";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const params = z.object({ uuid: uuidString, attachment_uuid: uuidString });

/** Public, by the share uuid: a file sent in the shared chat, while it is shared (docs/design.md §3.13). */
export const GET = publicReadRoute({ params }, async ({ params, req }) => serveForShare({ shareUuid: params.uuid, uuid: params.attachment_uuid, req }));
