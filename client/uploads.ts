/**
 * Files attached in a composer, per chat (docs/design.md §3.13): each one uploads the moment it
 * is picked, dropped or pasted (XMLHttpRequest: fetch cannot report upload progress), so that
 * sending only names the uploads. A chip's × removes an upload again (DELETE once the server
 * has it). The list lives outside React: the drop zone (the whole chat) and the composer both
 * use it, and an upload outlives a re-render of either. The new-chat screen's files are under
 * NEW_CHAT: uploaded to no chat yet (POST /chat/attachments), the first send binds them.
 */
import type { AttachmentDto } from "@/lib/contract";
import { api } from "./api";
import { createKeyedStore } from "./store";

export interface Upload {
  /** Ours, for React keys and removal; the server's uuid is `attachment.uuid`. */
  id: string;
  name: string;
  size: number;
  /** The browser's guess (the server sniffs the bytes): only to choose a thumbnail. */
  type: string;
  /** An object URL of the picked image, for its thumbnail before and after upload. */
  preview?: string;
  status: "uploading" | "done" | "failed";
  /** 0..1 of the bytes sent. */
  progress: number;
  attachment?: AttachmentDto;
  /** The server's message (413 too large, 415 type, storage full) or a network failure. */
  error?: string;
}

/** The key of the new-chat screen's files: its chat does not exist until the first send. */
export const NEW_CHAT = "new";

const uploadUrl = (key: string) => (key === NEW_CHAT ? "/chat/attachments" : `/chat/${key}/attachments`);

const NONE: Upload[] = [];
export const uploads = createKeyedStore<Upload[]>(NONE);
const requests = new Map<string, XMLHttpRequest>();
/** Called whenever an upload settles: what waitForUploads waits on. */
const settled = new Set<() => void>();

function update(chatUuid: string, id: string, patch: Partial<Upload>): void {
  const list = uploads.get(chatUuid);
  if (!list.some((u) => u.id === id)) return;
  uploads.set(chatUuid, list.map((u) => (u.id === id ? { ...u, ...patch } : u)));
  if (patch.status && patch.status !== "uploading") for (const f of [...settled]) f();
}

function errorMessage(xhr: XMLHttpRequest): string {
  try {
    const body = JSON.parse(xhr.responseText) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") return body.error.message;
  } catch {
    // Not our JSON (a proxy's page): fall through to the status.
  }
  return xhr.status === 413 ? "This file is too large." : `The upload failed (${xhr.status}). Remove it and try again.`;
}

function start(chatUuid: string, upload: Upload, file: File): void {
  const xhr = new XMLHttpRequest();
  requests.set(upload.id, xhr);
  xhr.open("POST", uploadUrl(chatUuid));
  xhr.setRequestHeader("accept", "application/json");
  xhr.upload.onprogress = (e) => {
    if (e.lengthComputable && e.total > 0) update(chatUuid, upload.id, { progress: e.loaded / e.total });
  };
  xhr.onload = () => {
    requests.delete(upload.id);
    if (xhr.status === 201) {
      try {
        const { attachment } = JSON.parse(xhr.responseText) as { attachment: AttachmentDto };
        update(chatUuid, upload.id, { status: "done", progress: 1, attachment });
        return;
      } catch {
        // A 201 without our body cannot be sent: say so below.
      }
    }
    update(chatUuid, upload.id, { status: "failed", error: errorMessage(xhr) });
  };
  // The server may refuse a too large file before reading it and close the connection: the
  // browser then reports a network error, not the 413.
  xhr.onerror = () => {
    requests.delete(upload.id);
    update(chatUuid, upload.id, { status: "failed", error: "The upload did not go through (too large, or the network failed)." });
  };
  const form = new FormData();
  form.append("file", file, file.name);
  xhr.send(form);
}

/** Adds files to a chat's composer and starts uploading each one. */
export function addFiles(chatUuid: string, files: Iterable<File>): void {
  const added: [Upload, File][] = [];
  for (const file of files) {
    const upload: Upload = {
      id: crypto.randomUUID(),
      // A pasted screenshot has a generic name ("image.png") or none.
      name: file.name || "pasted-file",
      size: file.size,
      type: file.type,
      preview: file.type.startsWith("image/") ? URL.createObjectURL(file) : undefined,
      status: "uploading",
      progress: 0,
    };
    added.push([upload, file]);
  }
  if (!added.length) return;
  uploads.set(chatUuid, [...uploads.get(chatUuid), ...added.map(([u]) => u)]);
  for (const [upload, file] of added) start(chatUuid, upload, file);
}

/** A picked image's object URL is ours to free; a restored upload's preview is the file's own URL. */
function revokePreview(u: Upload): void {
  if (u.preview?.startsWith("blob:")) URL.revokeObjectURL(u.preview);
}

function forget(chatUuid: string, ids: Set<string>, revoke: boolean): void {
  const list = uploads.get(chatUuid);
  if (revoke) for (const u of list) if (ids.has(u.id)) revokePreview(u);
  const rest = list.filter((u) => !ids.has(u.id));
  uploads.set(chatUuid, rest.length ? rest : NONE);
}

/** A chip's ×: stops the upload, or deletes the unsent file on the server. */
export function removeUpload(chatUuid: string, id: string): void {
  const upload = uploads.get(chatUuid).find((u) => u.id === id);
  if (!upload) return;
  requests.get(id)?.abort();
  requests.delete(id);
  // Best effort: an upload nobody sends is swept after a day anyway.
  if (upload.attachment) void api(`/chat/attachment/${upload.attachment.uuid}`, { method: "DELETE" }).catch(() => {});
  forget(chatUuid, new Set([id]), true);
  for (const f of [...settled]) f();
}

/** Resolves once no upload of the chat is still on its way (Send waits for them). */
export function waitForUploads(chatUuid: string): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (uploads.get(chatUuid).some((u) => u.status === "uploading")) return;
      settled.delete(check);
      resolve();
    };
    settled.add(check);
    check();
  });
}

/**
 * Takes the finished uploads out of the composer for a send; `restore` puts them back (the send
 * was refused and the person may try again). Failed ones stay, with their error, until removed.
 */
export function takeUploads(chatUuid: string): { attachments: AttachmentDto[]; restore: () => void; done: () => void } {
  const taken = uploads.get(chatUuid).filter((u) => u.status === "done" && u.attachment);
  forget(chatUuid, new Set(taken.map((u) => u.id)), false);
  return {
    attachments: taken.map((u) => u.attachment!),
    restore: () => uploads.set(chatUuid, [...taken, ...uploads.get(chatUuid)]),
    done: () => {
      for (const u of taken) revokePreview(u);
    },
  };
}

/**
 * Puts files already uploaded back in a composer: the new-chat screen's first send was refused
 * after its chat was created, so they wait in that chat's composer (the server binds an upload of
 * no chat yet to whichever chat its uploader sends it in).
 */
export function restoreUploads(chatUuid: string, attachments: AttachmentDto[]): void {
  if (!attachments.length) return;
  const restored = attachments.map(
    (a): Upload => ({
      id: crypto.randomUUID(),
      name: a.name,
      size: a.size,
      type: a.mediaType,
      preview: a.mediaType.startsWith("image/") ? a.url : undefined,
      status: "done",
      progress: 1,
      attachment: a,
    }),
  );
  uploads.set(chatUuid, [...restored, ...uploads.get(chatUuid)]);
}

/** "1.2 MB": decimal units, like the file managers people compare with. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB"];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
