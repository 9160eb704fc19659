import { route } from "@/lib/http/route";
import { chatParams } from "@/lib/http/params";
import { uploadAttachment } from "@/lib/files/attachments";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Uploads a file for the next message (docs/design.md §3.13): multipart/form-data with one field
 * `file`; 201 {attachment}. Send it with `attachments: [uuid]`. 413 past MAX_ATTACHMENT_BYTES
 * or the user's storage (storage_full), 415 for a type the app does not take (read from the bytes).
 */
export const POST = route({ params: chatParams }, async ({ user, params, req }) =>
  Response.json({ attachment: await uploadAttachment({ userId: user.id, chatUuid: params.uuid, req }) }, { status: 201 }),
);
