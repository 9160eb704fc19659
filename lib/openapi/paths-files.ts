/** Files attached to messages (docs/design.md §3.13): upload, read, remove; a shared chat's files. */
import { PUBLIC, errors, json, object, param, ref, type Paths, type Schema } from "./build";

const tags = ["Files"];
const fileParam: Schema = { name: "uuid", in: "path", required: true, description: "An attachment's uuid.", schema: { type: "string", format: "uuid" } };

/** A file's bytes, served so that nothing in it can run (the same headers on both reads). */
const fileResponse = (who: string): Schema => ({
  description: `The file's bytes, for ${who}. Content-Type is the type sniffed at upload (text: text/plain; charset=utf-8, so an uploaded .html or .svg is shown as text); Content-Disposition inline for images, attachment for the rest (RFC 6266 filename*); X-Content-Type-Options: nosniff; Content-Security-Policy: sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; ETag: the SHA-256 (If-None-Match answers 304).`,
  headers: {
    "Content-Disposition": { schema: { type: "string" } },
    ETag: { schema: { type: "string" } },
    "Content-Security-Policy": { schema: { type: "string" } },
  },
  content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
});

export const filePaths: Paths = {
  "/chat/{uuid}/attachments": {
    post: {
      operationId: "uploadAttachment",
      summary: "Upload a file to send with the next message (owner and editors)",
      description:
        "multipart/form-data with one field `file`. The type is read from the content, never from the name or the claimed type: PNG, JPEG, GIF, WebP, PDF, or text (valid UTF-8 without NUL, stored as text/plain). 413 `payload_too_large` past MAX_ATTACHMENT_BYTES (20 MiB), 413 `storage_full` past the user's storage (`storageBytes` quota; the same content twice counts once), 415 `unsupported_media_type` for anything else or a body that is not multipart. The same bytes are stored once, however many times they are uploaded. Send the file with `attachments: [uuid]` on POST /chat/{uuid}/send or /edit; an upload not sent within a day is removed.",
      tags,
      parameters: [param("ChatUuid")],
      requestBody: {
        required: true,
        content: { "multipart/form-data": { schema: object({ file: { type: "string", format: "binary" } }) } },
      },
      responses: { "201": json("The upload, not sent yet.", object({ attachment: ref("Attachment") })), ...errors(400, 401, 403, 404, 413, 415, 503) },
    },
  },
  "/chat/attachments": {
    post: {
      operationId: "uploadChatlessAttachment",
      summary: "Upload a file to send with the first message of a chat not created yet",
      description:
        "The new-chat screen's upload: the same multipart body, limits, type sniffing, storage quota and answers as POST /chat/{uuid}/attachments, but the upload belongs to no chat. Only its uploader may read it (GET /chat/attachment/{uuid}) or remove it; anyone else gets 404. The first POST /chat/{uuid}/send of a chat the uploader has just created names it in `attachments`, which binds it to that chat and message (its members read it from then on); an upload not sent within a day is removed.",
      tags,
      requestBody: {
        required: true,
        content: { "multipart/form-data": { schema: object({ file: { type: "string", format: "binary" } }) } },
      },
      responses: { "201": json("The upload, of no chat yet.", object({ attachment: ref("Attachment") })), ...errors(400, 401, 403, 413, 415, 503) },
    },
  },
  "/chat/attachment/{uuid}": {
    get: {
      operationId: "getAttachment",
      summary: "A file of a chat, for its members",
      description: "Any member of the file's chat (an upload not sent yet, of a chat or of none yet: its uploader only). Anyone else, a removed member included, gets 404. Cache-Control: private, no-cache (access is checked at every read; the ETag saves the bytes).",
      tags,
      parameters: [fileParam],
      responses: { "200": fileResponse("a member"), "304": { description: "If-None-Match named this file's ETag." }, ...errors(400, 401, 404, 503) },
    },
    delete: {
      operationId: "deleteAttachment",
      summary: "Remove an upload not sent yet (its uploader)",
      description: "A sent file stays with its message (deleting the chat deletes it): 409. The bytes go when nothing else names them.",
      tags,
      parameters: [fileParam],
      responses: { "200": json("Removed.", object({ deleted: { const: true } })), ...errors(400, 401, 403, 404, 409, 503) },
    },
  },
  "/share/{uuid}/attachment/{attachment_uuid}": {
    get: {
      operationId: "getSharedAttachment",
      summary: "A file of a shared chat, while it is shared",
      description: "Public: no session, not cached. A file of a message on the branch the share page shows; 404 once the chat is private (or its owner's account disabled).",
      tags,
      security: PUBLIC,
      parameters: [param("ShareUuid"), { ...fileParam, name: "attachment_uuid" }],
      responses: { "200": fileResponse("anyone with the link"), "304": { description: "If-None-Match named this file's ETag." }, ...errors(400, 404, 503) },
    },
  },
};
