import { route } from "@/lib/http/route";
import { messageParams } from "@/lib/http/params";
import { removeUpload, serveForMember } from "@/lib/files/attachments";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** A file of a chat, for its members (docs/design.md §3.13: inert whatever it holds). */
export const GET = route({ params: messageParams }, async ({ user, params, req }) => serveForMember({ userId: user.id, uuid: params.uuid, req }));

/** The uploader removes an upload not sent yet (a composer chip's ×): {deleted: true}. */
export const DELETE = route({ params: messageParams }, async ({ user, params }) => {
  await removeUpload({ userId: user.id, uuid: params.uuid });
  return Response.json({ deleted: true });
});
