import { route } from "@/lib/http/route";
import { uploadAttachment } from "@/lib/files/attachments";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Uploads a file for the first message of a chat not created yet (the new-chat screen,
 * docs/design.md §3.13): the same body, limits and answer as POST /chat/{uuid}/attachments. The
 * upload belongs to no chat and only its uploader may read or remove it until the send that
 * creates the chat names it in `attachments`.
 */
export const POST = route({}, async ({ user, req }) =>
  Response.json({ attachment: await uploadAttachment({ userId: user.id, req }) }, { status: 201 }),
);
