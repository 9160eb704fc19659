/**
 * What the model is given of the files attached to the messages of its prompt (docs/design.md
 * §3.13): an image as an image for a model that reads images, else left out (the answer says
 * so); a PDF as a file for a model that reads PDFs, else its text (unpdf); a text file as its
 * text. buildPrompt (prompt.ts) fits them into the prompt and its budget.
 */
import "server-only";
import type { ModelInput } from "../models/registry";
import type { PromptFile } from "./prompt";

/** An attachment as the database has it (db/queries/attachments.ts). */
export interface AttachedFile {
  messageUuid: string | null;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
}

export interface FileSources {
  attachmentsOf(messageUuids: string[]): Promise<AttachedFile[]>;
  readBytes(sha256: string): Promise<Uint8Array>;
  /** The text of a PDF; "" when it has none (a scan). */
  pdfText(bytes: Uint8Array): Promise<string>;
  warn?(err: unknown, file: AttachedFile): void;
}

/**
 * Each user message's files, by message uuid, as the model reads them. Only the messages whose
 * text alone could still fit `budgetChars` (newest back, the prompt message always): an older
 * one will not be sent (buildPrompt), so its files are not read.
 */
export async function promptFiles(
  messages: { uuid: string; role: string; content: string }[],
  input: ModelInput,
  sources: FileSources,
  budgetChars = Infinity,
  budgetBytes = Infinity,
): Promise<Map<string, PromptFile[]>> {
  const uuids: string[] = [];
  let used = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    used += m.content.length;
    if (used > budgetChars && i < messages.length - 1) break;
    if (m.role === "user") uuids.push(m.uuid);
  }
  // Newest message first (uuids' order), so that the bytes budget goes to the question first.
  const rank = new Map(uuids.map((u, i) => [u, i]));
  const rows = (await sources.attachmentsOf(uuids)).sort((a, b) => (rank.get(a.messageUuid ?? "") ?? 0) - (rank.get(b.messageUuid ?? "") ?? 0));
  const out = new Map<string, PromptFile[]>();
  // At most `budgetBytes` of files are read for one answer (PROMPT_FILES_MAX_BYTES): files a
  // chat holds are counted once against their owner's storage, so fifty messages may name the
  // same 20 MiB image; past the budget a file is left out, said on the answer when it is the
  // question's. The same content is read once however many messages name it.
  let bytesLeft = budgetBytes;
  const reads = new Map<string, Promise<Uint8Array>>();
  const once: FileSources = {
    ...sources,
    readBytes: (sha256) => {
      let read = reads.get(sha256);
      if (!read) reads.set(sha256, (read = sources.readBytes(sha256)));
      return read;
    },
  };
  const seen = new Set<string>();
  // Read at once, not one after another: they all stand between the claim and the model call.
  const files = await Promise.all(
    rows.map((row) => {
      if (needsBytes(row, input) && !seen.has(row.sha256)) {
        if (row.size > bytesLeft) {
          return Promise.resolve<PromptFile>({ kind: "left_out", name: row.name, mediaType: row.mediaType, why: "the files of this conversation are more than one request to the model may carry" });
        }
        bytesLeft -= row.size;
        seen.add(row.sha256);
      }
      return givenAs(row, input, once);
    }),
  );
  rows.forEach((row, i) => {
    if (!row.messageUuid) return;
    const list = out.get(row.messageUuid) ?? [];
    list.push(files[i]!);
    out.set(row.messageUuid, list);
  });
  return out;
}

/** Whether the model's input needs the file's bytes (an image it cannot see does not). */
function needsBytes(row: AttachedFile, input: ModelInput): boolean {
  const image = row.mediaType.startsWith("image/");
  return image ? input.images : row.mediaType === "application/pdf" || row.mediaType.startsWith("text/");
}

async function givenAs(row: AttachedFile, input: ModelInput, sources: FileSources): Promise<PromptFile> {
  const { name, mediaType } = row;
  const leftOut = (why: string): PromptFile => ({ kind: "left_out", name, mediaType, why });
  const image = mediaType.startsWith("image/");
  const pdf = mediaType === "application/pdf";
  // Nothing to read for a file the model will not be given.
  if (image && !input.images) return leftOut("this model cannot see images");
  if (!image && !pdf && !mediaType.startsWith("text/")) return leftOut("this kind of file cannot be given to a model");
  let bytes: Uint8Array;
  try {
    bytes = await sources.readBytes(row.sha256);
  } catch (err) {
    sources.warn?.(err, row);
    return leftOut("it could not be read from storage");
  }
  if (image) return { kind: "image", name, mediaType, bytes };
  if (pdf && input.pdf) return { kind: "pdf", name, bytes };
  if (pdf) {
    let text: string;
    try {
      text = (await sources.pdfText(bytes)).trim();
    } catch (err) {
      sources.warn?.(err, row);
      return leftOut("this model cannot read PDFs, and no text could be extracted from this one");
    }
    return text ? { kind: "text", name, text, from: "pdf" } : leftOut("this model cannot read PDFs, and this one has no text to extract (a scan?)");
  }
  return { kind: "text", name, text: new TextDecoder().decode(bytes), from: "text" };
}

/** A PDF's text, page after page (unpdf: PDF.js built for servers, no canvas or worker). */
export async function extractPdfText(bytes: Uint8Array): Promise<string> {
  const { extractText } = await import("unpdf");
  // PDF.js takes ownership of (detaches) the buffer it is given: give it a copy.
  const { text } = await extractText(new Uint8Array(bytes), { mergePages: false });
  return text.map((page) => page.trim()).filter(Boolean).join("\n\n");
}
