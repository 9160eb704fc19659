/**
 * Files members attach to messages (docs/design.md §3.13): the upload with its limits (size,
 * type by content, storage per user), removing an unsent upload, serving a file to the people
 * who may read its chat, and the DTO.
 */
import "server-only";
import { createHash } from "node:crypto";
import { AppError, notFound } from "../errors";
import { env } from "../env";
import { uuidv7 } from "../ids";
import { log } from "../log";
import { quotasFor } from "../quotas";
import { storableText } from "../text";
import { readLimitedBytes } from "../http/body";
import { READ_ONLY } from "../chat/chats";
import type { AttachmentDto } from "../contract";
import { toAttachmentDto } from "./dto";
import { getDb } from "@/db/client";
import { canWrite, memberRole } from "@/db/queries/access";
import {
  attachmentForMember,
  attachmentForShare,
  deleteUpload,
  insertUpload,
  storageOf,
  sweepStaleUploads,
  type ServedAttachment,
} from "@/db/queries/attachments";
import { lockUserQuota, quotaSubject } from "@/db/queries/usage";
import { pgErrorInfo } from "@/db/queries/util";
import { dispositionOf, sniffMediaType } from "./sniff";
import { prepareBlob, readBlob, removeObjects, storeBlob } from "./storage";
import { formatBytes } from "./bytes";

/** The multipart envelope around the file (boundaries, part headers, a long name): read past the file limit by this much. */
const MULTIPART_SLACK = 64 * 1024;

const tooLarge = (max: number) => new AppError("payload_too_large", `The file is larger than the limit of ${formatBytes(max)}.`);

/** A file name safe to store and to show: its last path segment, no control characters, at most 255 characters. */
export function cleanFileName(raw: string): string {
  const last = raw.split(/[\\/]/).pop() ?? "";
  const name = storableText(last).replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return [...name].slice(0, 255).join("") || "file";
}

/**
 * POST /chat/{uuid}/attachments: one multipart field `file`. Checks, in order: the declared
 * size (before reading anything), the member's role, the body's type, the bytes actually read,
 * the type sniffed from them, then (under the user's quota lock) their storage. Without a chat
 * (POST /chat/attachments, the new-chat screen's composer) there is no role to check: the upload
 * is the uploader's alone until the first send binds it to the chat that send creates.
 */
export async function uploadAttachment(input: { userId: string; chatUuid?: string; req: Request }): Promise<AttachmentDto> {
  const max = env().MAX_ATTACHMENT_BYTES;
  const declared = Number(input.req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > max + MULTIPART_SLACK) throw tooLarge(max);

  const chatUuid = input.chatUuid ?? null;
  if (chatUuid !== null) {
    const role = await memberRole(await getDb(), { chatUuid, userId: input.userId });
    if (!role) throw notFound("Chat not found.");
    if (!canWrite(role)) throw READ_ONLY();
  }

  const contentType = input.req.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new AppError("unsupported_media_type", "Send the file as multipart/form-data, in one field named file.");
  }
  let body: Buffer;
  try {
    body = await readLimitedBytes(input.req, max + MULTIPART_SLACK);
  } catch (err) {
    if (err instanceof AppError && err.code === "payload_too_large") throw tooLarge(max);
    throw err;
  }
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), { headers: { "content-type": contentType } }).formData();
  } catch {
    throw new AppError("bad_request", "The multipart/form-data body could not be read.");
  }
  const file = form.get("file");
  if (!(file instanceof Blob)) throw new AppError("validation_error", "Invalid file: send the file in a multipart/form-data field named file.");
  if (file.size > max) throw tooLarge(max);
  if (file.size === 0) throw new AppError("validation_error", "Invalid file: it is empty.");
  const bytes = new Uint8Array(await file.arrayBuffer());
  const mediaType = sniffMediaType(bytes);
  if (!mediaType) {
    throw new AppError(
      "unsupported_media_type",
      "This kind of file cannot be attached: send an image (PNG, JPEG, GIF or WebP), a PDF or a text file. The type is read from the file's content, not its name.",
    );
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const name = cleanFileName(file instanceof File ? file.name : "");
  const values = { uuid: uuidv7(), chatUuid, userId: input.userId, name, mediaType, size: bytes.byteLength, sha256 };

  const store = async () => {
    const db = await getDb();
    return db.transaction(async (tx) => {
      // Still a writer here (a member removed while the bytes came in uploads nothing).
      if (chatUuid !== null && !canWrite(await memberRole(tx, { chatUuid, userId: input.userId }))) throw notFound("Chat not found.");
      await lockUserQuota(tx, input.userId);
      const subject = await quotaSubject(tx, input.userId);
      if (!subject) throw new AppError("unauthorized", "Sign in to continue.");
      const limit = quotasFor(subject).limits.storageBytes;
      if (limit > 0) {
        // The same content again costs nothing: it is stored (and counted) once.
        const { used, has } = await storageOf(tx, input.userId, sha256);
        if (!has && used + bytes.byteLength > limit) throw storageFull(used, limit, bytes.byteLength, subject.guest);
      }
      await storeBlob(tx, { sha256, bytes }, { prepared: true });
      return insertUpload(tx, values);
    });
  };
  // An S3 object goes up before the transaction (it holds the quota lock every send of this
  // user takes); a file that is sure not to fit is refused before anything is stored.
  await precheckStorage(input.userId, sha256, bytes.byteLength);
  await prepareBlob({ sha256, bytes });
  let row;
  try {
    row = await store();
  } catch (err) {
    // The blob this upload found was swept (its last attachment deleted) between our look and
    // our insert: store it again, once.
    if (pgErrorInfo(err).code !== "23503") throw err;
    row = await store();
  }
  void sweepStale();
  return toAttachmentDto(row);
}

/** The storage check without the lock, before any byte is stored: the locked one decides. */
async function precheckStorage(userId: string, sha256: string, size: number): Promise<void> {
  const db = await getDb();
  const subject = await quotaSubject(db, userId);
  const limit = subject ? quotasFor(subject).limits.storageBytes : 0;
  if (!subject || limit <= 0) return;
  const { used, has } = await storageOf(db, userId, sha256);
  if (!has && used + size > limit) throw storageFull(used, limit, size, subject.guest);
}

export function storageFull(used: number, limit: number, size: number, guest: boolean, what = "this file"): AppError {
  const sentence = `Your files use ${formatBytes(used)} of your ${formatBytes(limit)}; ${what} (${formatBytes(size)}) ${what === "this file" ? "does" : "do"} not fit. Delete chats with files you no longer need to make room.`;
  return new AppError("storage_full", guest ? `${sentence} Create an account for more room.` : sentence, {
    details: { limit: "storageBytes", used, max: limit },
  });
}

/** Unsent uploads older than a day go, with their blobs (docs/design.md §3.13). Best effort. */
async function sweepStale(): Promise<void> {
  try {
    const db = await getDb();
    const swept = await db.transaction((tx) => sweepStaleUploads(tx));
    await removeObjects(swept.filter((b) => b.storage === "s3").map((b) => b.sha256));
  } catch (err) {
    log().warn({ err }, "files: sweeping unsent uploads failed");
  }
}

/** DELETE /chat/attachment/{uuid}: the uploader removes an upload not sent yet (of a chat, or of none yet). */
export async function removeUpload(input: { userId: string; uuid: string }): Promise<void> {
  const found = await attachmentForMember(input);
  if (!found) throw notFound("File not found.");
  if (found.chatUuid !== null && !canWrite(await memberRole(await getDb(), { chatUuid: found.chatUuid, userId: input.userId }))) throw READ_ONLY();
  if (found.messageUuid !== null || found.userId !== input.userId) {
    throw new AppError("conflict", "This file was sent with a message: it stays with the message (deleting the chat deletes it).");
  }
  const removed = await deleteUpload(input);
  if (!removed) throw notFound("File not found.");
  await removeObjects(removed.swept.filter((b) => b.storage === "s3").map((b) => b.sha256));
}

// ------------------------------------------------------------------ serving

/**
 * Every file is served so that nothing in it can run in our origin: the sniffed type (an .html
 * or .svg upload is text/plain), nosniff, a sandboxing CSP (no script, no plugins, a unique
 * origin even when opened directly), and downloaded rather than shown unless it is an image.
 */
export const FILE_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'";

/** RFC 6266 / RFC 5987: an ASCII fallback and the real name, percent-encoded. */
export function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

async function fileResponse(req: Request, file: ServedAttachment, cacheControl: string): Promise<Response> {
  const etag = `"${file.sha256}"`;
  const headers: Record<string, string> = {
    "content-type": file.mediaType === "text/plain" ? "text/plain; charset=utf-8" : file.mediaType,
    "content-disposition": contentDisposition(dispositionOf(file.mediaType), file.name),
    "x-content-type-options": "nosniff",
    "content-security-policy": FILE_CSP,
    "cross-origin-resource-policy": "same-origin",
    etag,
    "cache-control": cacheControl,
  };
  const match = req.headers.get("if-none-match");
  if (match && match.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)) return new Response(null, { status: 304, headers });
  const bytes = await readBlob(file.sha256);
  // Swept since the access check read the row (the chat was deleted meanwhile): gone, as a 404.
  if (!bytes) throw notFound("File not found.");
  return new Response(new Uint8Array(bytes), { status: 200, headers: { ...headers, "content-length": String(bytes.byteLength) } });
}

/** GET /chat/attachment/{uuid}: a member of its chat, or the uploader of an upload of no chat yet (a removed member, anyone else: 404). */
export async function serveForMember(input: { userId: string; uuid: string; req: Request }): Promise<Response> {
  const found = await attachmentForMember(input);
  if (!found) throw notFound("File not found.");
  // Asked again each time (no-cache): access is checked on every read; the ETag saves the bytes.
  return fileResponse(input.req, found, "private, no-cache");
}

/** GET /share/{shareUuid}/attachment/{uuid}: anyone with the link, while the chat is shared. */
export async function serveForShare(input: { shareUuid: string; uuid: string; req: Request }): Promise<Response> {
  const found = await attachmentForShare(input);
  if (!found) throw notFound("File not found.");
  // Not stored anywhere: a link made private stops at once, as the share polls do.
  return fileResponse(input.req, found, "no-store");
}
