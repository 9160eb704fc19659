/**
 * Files attached to chats (docs/design.md §3.13): uploads, their binding to the message sent
 * with them, reading them as a member or through a share link, and removing the blobs no
 * attachment names any more. The bytes themselves are lib/files/storage.ts's.
 */
import "server-only";
import { and, asc, eq, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import { getDb, type Db } from "../client.ts";
import { attachments, chatMembers, chatMessages, chats, fileBlobs, users, type Attachment, type FileBlob } from "../schema.ts";
import { activeUser, memberOf, type Tx } from "./access.ts";
import { execRows } from "./util.ts";
import { uuidv7 } from "../../lib/ids.ts";

/** What a reader of a message is told of one of its files (the DTO adds the url). */
export type AttachmentRow = Pick<Attachment, "uuid" | "name" | "mediaType" | "size" | "sha256" | "messageUuid">;

const rowColumns = {
  uuid: attachments.uuid,
  name: attachments.name,
  mediaType: attachments.mediaType,
  size: attachments.size,
  sha256: attachments.sha256,
  messageUuid: attachments.messageUuid,
};

/** The attachments of these messages, each message's in upload order (for the model's prompt, export). */
export async function attachmentsOf(messageUuids: string[], db?: Pick<Db, "select">): Promise<AttachmentRow[]> {
  if (messageUuids.length === 0) return [];
  const d = db ?? (await getDb());
  return d
    .select(rowColumns)
    .from(attachments)
    .where(inArray(attachments.messageUuid, messageUuids))
    .orderBy(asc(attachments.createdAt), asc(attachments.uuid));
}

// ------------------------------------------------------------------ blobs

/** Which backend holds a blob; undefined: not stored. */
export async function blobStorage(tx: Pick<Db, "select">, sha256: string): Promise<FileBlob["storage"] | undefined> {
  const [row] = await tx.select({ storage: fileBlobs.storage }).from(fileBlobs).where(eq(fileBlobs.sha256, sha256)).limit(1);
  return row?.storage;
}

/** Which of these hashes have a blob row. */
export async function storedBlobs(tx: Pick<Db, "select">, sha256s: string[]): Promise<string[]> {
  if (sha256s.length === 0) return [];
  const rows = await tx.select({ sha256: fileBlobs.sha256 }).from(fileBlobs).where(inArray(fileBlobs.sha256, sha256s));
  return rows.map((r) => r.sha256);
}

export async function insertBlob(tx: Tx, blob: { sha256: string; size: number; storage: FileBlob["storage"]; data: Uint8Array | null }): Promise<void> {
  await tx.insert(fileBlobs).values(blob).onConflictDoNothing({ target: fileBlobs.sha256 });
}

export async function blobBytes(db: Pick<Db, "select">, sha256: string): Promise<Pick<FileBlob, "storage" | "data"> | undefined> {
  const [row] = await db.select({ storage: fileBlobs.storage, data: fileBlobs.data }).from(fileBlobs).where(eq(fileBlobs.sha256, sha256)).limit(1);
  return row;
}

/**
 * Deletes those of these blobs that no attachment names, and says which (the S3 ones are then
 * removed from the bucket after the commit). A blob an upload in flight is naming (its
 * attachment insert holds a key-share lock on it) is skipped: it is about to be named.
 */
export async function sweepBlobs(tx: Tx, sha256s: string[]): Promise<{ sha256: string; storage: FileBlob["storage"] }[]> {
  const unique = [...new Set(sha256s)];
  if (unique.length === 0) return [];
  return execRows(
    tx,
    sql`delete from file_blob where sha256 in (
      select b.sha256 from file_blob b
      where b.sha256 = any(${`{${unique.join(",")}}`}::text[])
        and not exists (select 1 from attachment a where a.sha256 = b.sha256)
      for update skip locked)
    returning sha256, storage`,
  );
}

/** The distinct blobs a chat's attachments name (read before the chat is deleted). */
export async function blobsOfChat(tx: Tx, chatUuid: string): Promise<string[]> {
  const rows = await tx.selectDistinct({ sha256: attachments.sha256 }).from(attachments).where(eq(attachments.chatUuid, chatUuid));
  return rows.map((r) => r.sha256);
}

/**
 * Unsent uploads older than a day (a composer closed without sending): their rows, then the
 * blobs no row names. At most `limit` at a time; called on each upload.
 */
export async function sweepStaleUploads(tx: Tx, limit = 100): Promise<{ sha256: string; storage: FileBlob["storage"] }[]> {
  const gone = await execRows<{ sha256: string }>(
    tx,
    sql`delete from attachment where uuid in (
      select uuid from attachment where message_uuid is null and created_at < now() - interval '1 day'
      limit ${limit} for update skip locked)
    returning sha256`,
  );
  return sweepBlobs(
    tx,
    gone.map((r) => r.sha256),
  );
}

// ------------------------------------------------------------------ storage quota

/**
 * Bytes of files the user keeps: each distinct content once (uploading the same file twice, or
 * an edited message's copy of its files, takes no more space); `has`: this content among them.
 */
export async function storageOf(tx: Pick<Db, "execute">, userId: string, sha256: string): Promise<{ used: number; has: boolean }> {
  const [row] = await execRows<{ used: string | number | null; has: boolean }>(
    tx,
    sql`select coalesce(sum(size), 0)::bigint as used, coalesce(bool_or(sha256 = ${sha256}), false) as has
      from (select distinct sha256, size from attachment where user_id = ${userId}) f`,
  );
  return { used: Number(row?.used ?? 0), has: Boolean(row?.has) };
}

/** The storage the user's files use (the account page). */
export async function storageUsed(db: Pick<Db, "execute">, userId: string): Promise<number> {
  return (await storageOf(db, userId, "")).used;
}

/** A file with these bytes that the user keeps (an import's reference resolves only to one). */
export async function ownFileOf(tx: Pick<Db, "select">, input: { userId: string; sha256: string }): Promise<{ mediaType: string; size: number } | undefined> {
  const [row] = await tx
    .select({ mediaType: attachments.mediaType, size: attachments.size })
    .from(attachments)
    .where(and(eq(attachments.userId, input.userId), eq(attachments.sha256, input.sha256)))
    .limit(1);
  return row;
}

// ------------------------------------------------------------------ uploads

/** Inserts an upload's row (its blob stored already), unbound (or bound: an import's). */
export async function insertUpload(
  tx: Tx,
  input: { uuid: string; chatUuid: string | null; userId: string; name: string; mediaType: string; size: number; sha256: string; messageUuid?: string },
): Promise<Attachment> {
  const [row] = await tx.insert(attachments).values(input).returning();
  return row!;
}

/**
 * Removes the user's own unsent upload (bound ones go with their message or chat), and its blob
 * when nothing else names it. Undefined: no such upload of theirs.
 */
export async function deleteUpload(input: { uuid: string; userId: string }): Promise<{ swept: { sha256: string; storage: FileBlob["storage"] }[] } | undefined> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .delete(attachments)
      .where(and(eq(attachments.uuid, input.uuid), eq(attachments.userId, input.userId), isNull(attachments.messageUuid)))
      .returning({ sha256: attachments.sha256 });
    if (!row) return undefined;
    return { swept: await sweepBlobs(tx, [row.sha256]) };
  });
}

// ------------------------------------------------------------------ binding (send, edit)

export type BindResult = { kind: "ok"; rows: AttachmentRow[] } | { kind: "unknown"; uuids: string[] };

/**
 * Binds the sender's unsent uploads of this chat, or their unsent uploads of no chat yet (made
 * on the new-chat screen before the chat existed), to the message being sent, in the queueing
 * transaction: a chat-less one joins this chat. Any uuid that is not such an upload (another
 * chat's, another user's, already sent, unknown) refuses the whole send.
 */
export async function bindAttachments(tx: Tx, input: { chatUuid: string; userId: string; messageUuid: string; uuids: string[] }): Promise<BindResult> {
  const uuids = [...new Set(input.uuids)];
  if (uuids.length === 0) return { kind: "ok", rows: [] };
  const rows = await tx
    .update(attachments)
    .set({ messageUuid: input.messageUuid, chatUuid: input.chatUuid })
    .where(
      and(
        inArray(attachments.uuid, uuids),
        or(eq(attachments.chatUuid, input.chatUuid), isNull(attachments.chatUuid)),
        eq(attachments.userId, input.userId),
        isNull(attachments.messageUuid),
      ),
    )
    .returning(rowColumns);
  if (rows.length !== uuids.length) {
    const bound = new Set(rows.map((r) => r.uuid));
    return { kind: "unknown", uuids: uuids.filter((u) => !bound.has(u)) };
  }
  return { kind: "ok", rows: rows.sort((a, b) => uuids.indexOf(a.uuid) - uuids.indexOf(b.uuid)) };
}

/**
 * An edited message's new version keeps the files of the one it replaces: a row each, naming
 * the same blobs (the uploader stays the uploader). Returns the copies.
 */
export async function copyAttachments(tx: Tx, fromMessageUuid: string, toMessageUuid: string): Promise<AttachmentRow[]> {
  return insertCopies(tx, await attachmentRowsOf(tx, fromMessageUuid), toMessageUuid);
}

/** A message's attachment rows, whole, in order (what copyAttachments copies). */
export async function attachmentRowsOf(tx: Pick<Db, "select">, messageUuid: string): Promise<Attachment[]> {
  return tx.select().from(attachments).where(eq(attachments.messageUuid, messageUuid)).orderBy(asc(attachments.createdAt), asc(attachments.uuid));
}

/** New rows for `toMessageUuid` naming the same blobs as `from` (read earlier in the same transaction). */
export async function insertCopies(tx: Tx, from: Attachment[], toMessageUuid: string): Promise<AttachmentRow[]> {
  if (from.length === 0) return [];
  return tx
    .insert(attachments)
    .values(from.map((a) => ({ uuid: uuidv7(), chatUuid: a.chatUuid, messageUuid: toMessageUuid, userId: a.userId, name: a.name, mediaType: a.mediaType, size: a.size, sha256: a.sha256 })))
    .returning(rowColumns);
}

// ------------------------------------------------------------------ reading one file

export type ServedAttachment = Pick<Attachment, "uuid" | "chatUuid" | "messageUuid" | "userId" | "name" | "mediaType" | "size" | "sha256">;

const servedColumns = { ...rowColumns, chatUuid: attachments.chatUuid, userId: attachments.userId };

/**
 * A file as a member of its chat reads it (any role; an unsent upload only by its uploader), or
 * an upload of no chat yet as its uploader reads it (nobody else). Undefined: not theirs to
 * read, which is the same answer as does not exist (404).
 */
export async function attachmentForMember(input: { uuid: string; userId: string }): Promise<ServedAttachment | undefined> {
  const db = await getDb();
  const [row] = await db
    .select(servedColumns)
    .from(attachments)
    .leftJoin(chatMembers, memberOf(attachments.chatUuid, input.userId))
    .leftJoin(users, activeUser())
    .where(
      and(
        eq(attachments.uuid, input.uuid),
        or(
          and(isNull(attachments.chatUuid), eq(attachments.userId, input.userId)),
          and(isNotNull(users.id), or(isNotNull(attachments.messageUuid), eq(attachments.userId, input.userId))),
        ),
      ),
    )
    .limit(1);
  return row;
}

/** A sent file of a chat shared with this link (its owner's account active), on the branch the share page shows. */
export async function attachmentForShare(input: { uuid: string; shareUuid: string }): Promise<ServedAttachment | undefined> {
  const db = await getDb();
  const [row] = await db
    .select(servedColumns)
    .from(attachments)
    .innerJoin(chats, and(eq(chats.uuid, attachments.chatUuid), eq(chats.shareUuid, input.shareUuid)))
    .innerJoin(users, and(eq(users.id, chats.userId), isNull(users.disabledAt)))
    // Sent, on the active branch: what the share page shows (docs/design.md §3.12).
    .innerJoin(chatMessages, and(eq(chatMessages.uuid, attachments.messageUuid), eq(chatMessages.hidden, false)))
    .where(eq(attachments.uuid, input.uuid))
    .limit(1);
  return row;
}
