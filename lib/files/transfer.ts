/**
 * Files in export files (docs/design.md §3.13). One chat's JSON export carries each file's bytes
 * in base64; the all-chats export carries references by SHA-256 only. An import checks every
 * file it carries like an upload (the hash it claims, MAX_ATTACHMENT_BYTES, the type read from
 * the bytes) before its transaction, stores them in it, and restores a reference only from a
 * file the importing account itself still keeps on this server: a hash alone never opens
 * another account's file. The importer's storage quota is checked before each new content is
 * stored, and once more when all is in.
 */
import "server-only";
import { createHash } from "node:crypto";
import { AppError } from "../errors";
import { env } from "../env";
import { uuidv7 } from "../ids";
import { quotasFor } from "../quotas";
import { formatBytes } from "./bytes";
import { sniffMediaType } from "./sniff";
import { storeBlob } from "./storage";
import { cleanFileName, storageFull } from "./attachments";
import type { ImportFile } from "../export/format";
import type { Tx } from "@/db/queries/access";
import { insertUpload, ownFileOf, storageOf } from "@/db/queries/attachments";
import { lockUserQuota, quotaSubject } from "@/db/queries/usage";

interface FileToImport {
  name: string;
  sha256: string;
  /** Absent: a reference (the all-chats export). */
  bytes?: Uint8Array;
  mediaType?: string;
}

export interface ImportFiles {
  /** chat index -> message index -> its files, in order. */
  byChat: Map<number, Map<number, FileToImport[]>>;
  /** What the user kept before the import (read at the first chat that has files). */
  usedBefore?: number;
  /** New contents this import stores so far (bytes, and which), checked against the quota before each is stored. */
  added?: { bytes: number; sha256s: Set<string>; limit: number; guest: boolean };
  done(tx: Tx, userId: string): Promise<void>;
}

/** Decodes and checks every file of the import file; throws the first problem, naming where it is. */
export function prepareImportFiles(file: ImportFile): ImportFiles {
  const max = env().MAX_ATTACHMENT_BYTES;
  const byChat = new Map<number, Map<number, FileToImport[]>>();
  file.chats.forEach((chat, i) => {
    chat.messages.forEach((m, j) => {
      if (!m.attachments?.length) return;
      const where = `chats.${i}.messages.${j}.attachments`;
      if (m.role !== "user") throw new AppError("validation_error", `Invalid ${where}: only a user message carries files.`);
      const list = m.attachments.map((a, k): FileToImport => {
        if (a.data === undefined) return { name: a.name, sha256: a.sha256 };
        const bytes = new Uint8Array(Buffer.from(a.data, "base64"));
        if (createHash("sha256").update(bytes).digest("hex") !== a.sha256) {
          throw new AppError("validation_error", `Invalid ${where}.${k}.data: its SHA-256 is not the sha256 the file gives.`);
        }
        if (bytes.byteLength > max) throw new AppError("payload_too_large", `The file ${where}.${k} is larger than the limit of ${formatBytes(max)}.`);
        const mediaType = bytes.byteLength > 0 ? sniffMediaType(bytes) : undefined;
        if (!mediaType) {
          throw new AppError("unsupported_media_type", `The file ${where}.${k} is empty or of a kind that cannot be attached (images, PDFs and text only).`);
        }
        return { name: a.name, sha256: a.sha256, bytes, mediaType };
      });
      let chatFiles = byChat.get(i);
      if (!chatFiles) {
        chatFiles = new Map<number, FileToImport[]>();
        byChat.set(i, chatFiles);
      }
      chatFiles.set(j, list);
    });
  });
  const files: ImportFiles = {
    byChat,
    async done(tx, userId) {
      if (files.usedBefore === undefined) return;
      const subject = await quotaSubject(tx, userId);
      const limit = subject ? quotasFor(subject).limits.storageBytes : 0;
      const { used } = await storageOf(tx, userId, "");
      if (limit > 0 && used > limit && used > files.usedBefore) throw storageFull(files.usedBefore, limit, used - files.usedBefore, subject?.guest ?? false, "the files of this import");
    },
  };
  return files;
}

/** Stores one imported chat's files for its new messages; answers how many references could not be restored. */
export async function importFiles(tx: Tx, input: { userId: string; files: ImportFiles; chatIndex: number; chatUuid: string; messageUuids: string[] }): Promise<number> {
  const chatFiles = input.files.byChat.get(input.chatIndex);
  if (!chatFiles) return 0;
  if (input.files.usedBefore === undefined) {
    await lockUserQuota(tx, input.userId);
    input.files.usedBefore = (await storageOf(tx, input.userId, "")).used;
    const subject = await quotaSubject(tx, input.userId);
    input.files.added = { bytes: 0, sha256s: new Set(), limit: subject ? quotasFor(subject).limits.storageBytes : 0, guest: subject?.guest ?? false };
  }
  const added = input.files.added!;
  let leftOut = 0;
  for (const [j, list] of chatFiles) {
    const messageUuid = input.messageUuids[j]!;
    for (const f of list) {
      let stored: { mediaType: string; size: number } | undefined;
      if (f.bytes) {
        // Checked before the bytes are stored: an S3 object is written at once and would stay,
        // unowned, behind a refused import (the rows roll back, the object does not).
        if (!added.sha256s.has(f.sha256) && !(await storageOf(tx, input.userId, f.sha256)).has) {
          added.sha256s.add(f.sha256);
          added.bytes += f.bytes.byteLength;
          if (added.limit > 0 && input.files.usedBefore + added.bytes > added.limit) {
            throw storageFull(input.files.usedBefore, added.limit, added.bytes, added.guest, "the files of this import");
          }
        }
        await storeBlob(tx, { sha256: f.sha256, bytes: f.bytes });
        stored = { mediaType: f.mediaType!, size: f.bytes.byteLength };
      } else {
        stored = await ownFileOf(tx, { userId: input.userId, sha256: f.sha256 });
      }
      if (!stored) {
        leftOut++;
        continue;
      }
      await insertUpload(tx, { uuid: uuidv7(), chatUuid: input.chatUuid, userId: input.userId, name: cleanFileName(f.name), sha256: f.sha256, ...stored, messageUuid });
    }
  }
  return leftOut;
}
