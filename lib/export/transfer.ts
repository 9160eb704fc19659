/**
 * Export and import of chats (README, "Export and import"). An export is what the reader can
 * read, as it is now (a pending answer with its text so far). An import recreates the chats of
 * a file for the signed-in user, all or none: titles, agents, params, and messages with their
 * roles, text, statuses and order, exactly; timestamps as in the file (made strictly increasing
 * where the file has ties, so the order is the file's).
 */
import "server-only";
import { createHash } from "node:crypto";
import { AppError, notFound } from "../errors";
import { uuidv7 } from "../ids";
import { storableJson, storableText } from "../text";
import { memberChatWithMessages, ownedChatsWithMessages, importChatsForUser, type ChatToImport, type ImportOutcome } from "@/db/queries/export";
import { readPendingText } from "@/db/queries/output";
import { pollChat } from "../chat/polls";
import { isUniqueViolation } from "@/db/queries/util";
import type { Chat, ChatMessage } from "@/db/schema";
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportedAttachment, type ExportedChat, type ExportFile, type ImportFile } from "./format";
import { attachmentsOf } from "@/db/queries/attachments";
import { readBlob } from "../files/storage";
import { importFiles, prepareImportFiles } from "../files/transfer";
import { chatToMarkdown } from "./markdown";
import { importedBranches } from "./branches";
import { settleParts } from "../parts";

/**
 * The files of these messages as the export writes them: with their bytes (one chat's export),
 * or as references by SHA-256 (the all-chats export: docs/design.md §3.13).
 */
async function exportedFiles(messages: ChatMessage[], withData: boolean): Promise<Map<string, ExportedAttachment[]>> {
  const byMessage = new Map<string, ExportedAttachment[]>();
  const users = messages.filter((m) => m.role === "user").map((m) => m.uuid);
  for (let i = 0; i < users.length; i += 5_000) {
    for (const f of await attachmentsOf(users.slice(i, i + 5_000))) {
      const file: ExportedAttachment = { name: f.name, mediaType: f.mediaType, size: Number(f.size), sha256: f.sha256 };
      const list = byMessage.get(f.messageUuid!);
      if (list) list.push(file);
      else byMessage.set(f.messageUuid!, [file]);
    }
  }
  if (!withData) return byMessage;
  // Each content's bytes once, at its first file in the conversation's order (the order an
  // import stores them in): the later ones are references to it, which the import restores
  // from the file it has just stored. A chat may name one large file many times.
  const written = new Set<string>();
  for (const uuid of users) {
    for (const file of byMessage.get(uuid) ?? []) {
      if (written.has(file.sha256)) continue;
      const bytes = await readBlob(file.sha256);
      // Removed since its row was read (the chat deleted meanwhile): a reference, not a 500.
      if (!bytes) continue;
      file.data = Buffer.from(bytes).toString("base64");
      written.add(file.sha256);
    }
  }
  return byMessage;
}

async function exportedChat(chat: Chat, messages: ChatMessage[], files: Map<string, ExportedAttachment[]>): Promise<ExportedChat> {
  // A pending answer's text so far lives with its generation, not in the message row (the
  // polls' read has it already; the whole-account read does not).
  const contents = new Map<string, string>();
  for (const m of messages) {
    if (m.role === "assistant" && m.status === "pending" && m.llmRequestUuid && m.content === "") contents.set(m.llmRequestUuid, await readPendingText(m.llmRequestUuid));
  }
  return {
    uuid: chat.uuid,
    title: chat.title,
    status: chat.status,
    agent: chat.agent,
    params: chat.params,
    createdAt: chat.createdAt.toISOString(),
    updatedAt: chat.updatedAt.toISOString(),
    messages: messages.map((m) => ({
      uuid: m.uuid,
      role: m.role,
      content: (m.llmRequestUuid ? contents.get(m.llmRequestUuid) : undefined) ?? m.content,
      status: m.status,
      ...(m.error ? { error: m.error } : {}),
      createdAt: m.createdAt.toISOString(),
      ...(m.parts?.length ? { parts: m.parts } : {}),
      parentUuid: m.parentUuid,
      selected: m.selected,
      ...(files.get(m.uuid)?.length ? { attachments: files.get(m.uuid) } : {}),
    })),
  };
}

function file(chats: ExportedChat[], exportedAt: string): ExportFile {
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt, chats };
}

/**
 * One chat the user may read, as JSON (an import file of one chat: every branch) or Markdown
 * (the conversation as it reads now: the active branch).
 */
export async function exportChat(input: { userId: string; chatUuid: string; format: "json" | "md" }): Promise<{ body: string; filename: string; type: string }> {
  const found =
    input.format === "md" ? await pollChat({ kind: "member", userId: input.userId }, { chat: input.chatUuid }) : await memberChatWithMessages(input);
  if (!found) throw notFound("Chat not found.");
  const { chat } = found;
  const exported = await exportedChat(chat, found.messages, await exportedFiles(found.messages, input.format === "json"));
  const exportedAt = new Date().toISOString();
  const name = `${fileStem(chat.title)}-${exportedAt.slice(0, 10)}`;
  return input.format === "md"
    ? { body: chatToMarkdown(exported, exportedAt), filename: `${name}.md`, type: "text/markdown; charset=utf-8" }
    : { body: JSON.stringify(file([exported], exportedAt), null, 2), filename: `${name}.json`, type: "application/json; charset=utf-8" };
}

/** Every chat the user owns, as one import file. */
export async function exportAll(input: { userId: string }): Promise<{ body: string; filename: string; type: string }> {
  const owned = await ownedChatsWithMessages(input);
  const chats: ExportedChat[] = [];
  // Files by reference only: every file's bytes in one JSON document would not fit in memory.
  for (const { chat, messages } of owned) chats.push(await exportedChat(chat, messages, await exportedFiles(messages, false)));
  const exportedAt = new Date().toISOString();
  return { body: JSON.stringify(file(chats, exportedAt)), filename: `pollchat-export-${exportedAt.slice(0, 10)}.json`, type: "application/json; charset=utf-8" };
}

/** "Release notes: v2!" -> "release-notes-v2"; a title with no ASCII letters -> "chat". */
function fileStem(title: string): string {
  const stem = title
    .normalize("NFKD")
    .replace(/[^\x20-\x7e]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return stem || "chat";
}

/** `attachment` with an ASCII filename (the names we make are ASCII). */
export function contentDisposition(filename: string): string {
  return `attachment; filename="${filename.replace(/["\\\r\n]/g, "_")}"`;
}

export interface ImportResult {
  imported: { uuid: string; title: string; messages: number; from?: string; filesLeftOut?: number }[];
  skipped: { uuid: string; title: string; reason: "exists" }[];
}

/** Timestamps as the file gives them, but each message strictly after the one before it. */
function toImport(chat: ImportFile["chats"][number], now: number): ChatToImport {
  // A chat without a time is as old as its first message that has one.
  const first = chat.messages.find((m) => m.createdAt)?.createdAt;
  const createdAt = new Date(chat.createdAt ?? first ?? now);
  let previous = createdAt.getTime() - 1;
  const branches = importedBranches(chat.messages);
  const messages = chat.messages.map((m, i) => {
    const at = Math.max(m.createdAt ? Date.parse(m.createdAt) : previous + 1, previous + 1);
    previous = at;
    return {
      uuid: m.uuid,
      role: m.role,
      content: storableText(m.content),
      // An answer cannot come back to life: no generation is imported with it.
      status: m.status === "pending" ? ("cancelled" as const) : m.status,
      error: m.error ? storableText(m.error) : null,
      createdAt: new Date(at),
      ...(m.role === "assistant" && m.parts?.length ? { parts: settleParts(storableJson(m.parts), new Date(at).toISOString(), "The answer stopped before this tool call ended.") } : {}),
      ...branches[i]!,
    };
  });
  const updatedAt = Math.max(chat.updatedAt ? Date.parse(chat.updatedAt) : 0, createdAt.getTime(), previous);
  return {
    uuid: chat.uuid,
    title: storableText(chat.title),
    status: chat.status,
    agent: chat.agent,
    params: chat.params,
    createdAt,
    updatedAt: new Date(updatedAt),
    messages,
  };
}

/**
 * The uuid a file's chat (or message) gets in this account when its own is taken elsewhere:
 * the same every time (so a second import of the file finds it), unguessable without the
 * user's id, and a valid RFC 9562 UUID (version 8: made by the application).
 */
export function derivedUuid(userId: string, uuid: string): string {
  const h = createHash("sha256").update(`pollchat-import\0${userId}\0${uuid.toLowerCase()}`).digest();
  h[6] = 0x80 | (h[6]! & 0x0f);
  h[8] = 0x80 | (h[8]! & 0x3f);
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export async function importChats(input: { userId: string; file: ImportFile }): Promise<ImportResult> {
  const now = Date.now();
  // The files' bytes are checked (hash, size, type) before the transaction.
  const files = prepareImportFiles(input.file);
  let outcomes: ImportOutcome[];
  try {
    outcomes = await importChatsForUser({
      userId: input.userId,
      chats: input.file.chats.map((c) => toImport(c, now)),
      newUuid: () => uuidv7(),
      derive: (uuid) => derivedUuid(input.userId, uuid),
      files: (tx, at) => importFiles(tx, { userId: input.userId, files, ...at }),
      filesDone: (tx) => files.done(tx, input.userId),
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    throw new AppError("conflict", "A chat or message of this file was created elsewhere at the same moment. Import the file again: what is already there is skipped.", {
      cause: err,
    });
  }
  const result: ImportResult = { imported: [], skipped: [] };
  for (const o of outcomes) {
    if (o.kind === "skipped") result.skipped.push({ uuid: o.uuid, title: o.title, reason: "exists" });
    else result.imported.push({ uuid: o.uuid, title: o.title, messages: o.messages, ...(o.from ? { from: o.from } : {}), ...(o.filesLeftOut ? { filesLeftOut: o.filesLeftOut } : {}) });
  }
  return result;
}
