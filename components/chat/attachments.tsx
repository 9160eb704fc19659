"use client";

/**
 * Files in the chat (docs/design.md §3.13): the composer's paperclip and chips (client/uploads.ts
 * uploads them), the drop zone over the whole chat, and a sent message's files.
 */
import { useEffect, useRef, useState, type DragEvent } from "react";
import type { AttachmentDto } from "@/lib/contract";
import { addFiles, formatBytes, removeUpload, uploads, type Upload } from "@/client/uploads";
import { IconAlert, IconClose, IconFile, IconPaperclip } from "./icons";

/**
 * What the picker offers: what the server accepts (it sniffs the bytes: images, PDFs, UTF-8
 * text). Text goes by the usual code and data extensions, since browsers give most of them no type.
 */
const ACCEPT = [
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "application/pdf",
  "text/*",
  ...".txt .md .csv .tsv .json .jsonl .yaml .yml .toml .ini .xml .html .css .js .jsx .ts .tsx .mjs .py .rb .go .rs .java .kt .c .h .cpp .hpp .cs .php .swift .sh .sql .log".split(" "),
].join(",");

export function AttachButton({ chatUuid, disabled }: { chatUuid: string; disabled?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className="icon-btn attach-btn"
        aria-label="Attach files"
        title="Attach files (or drop them, or paste)"
        disabled={disabled}
        onClick={() => input.current?.click()}
      >
        <IconPaperclip size={18} />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        accept={ACCEPT}
        hidden
        data-testid="file-input"
        onChange={(e) => {
          if (e.target.files) addFiles(chatUuid, Array.from(e.target.files));
          // The same file picked again must fire change again.
          e.target.value = "";
        }}
      />
    </>
  );
}

function isImage(type: string): boolean {
  return /^image\/(png|jpeg|gif|webp)$/.test(type);
}

function UploadChip({ chatUuid, upload }: { chatUuid: string; upload: Upload }) {
  const thumb = upload.preview && upload.status !== "failed";
  return (
    <li className="attach-chip" data-status={upload.status} data-testid="upload-chip">
      {thumb ? (
        // eslint-disable-next-line @next/next/no-img-element -- an object URL of a local file: nothing for next/image to optimize
        <img className="attach-thumb" src={upload.preview} alt="" />
      ) : (
        <span className="attach-icon" aria-hidden="true">
          {upload.status === "failed" ? <IconAlert size={16} /> : <IconFile size={16} />}
        </span>
      )}
      <span className="attach-text">
        <span className="attach-name">{upload.name}</span>
        {upload.status === "failed" ? (
          <span className="attach-error" role="alert">
            {upload.error}
          </span>
        ) : (
          <span className="attach-size">{formatBytes(upload.size)}</span>
        )}
      </span>
      {upload.status === "uploading" && (
        <progress className="attach-progress" max={1} value={upload.progress} aria-label={`Uploading ${upload.name}`} />
      )}
      <button type="button" className="attach-remove" aria-label={`Remove ${upload.name}`} title="Remove" onClick={() => removeUpload(chatUuid, upload.id)}>
        <IconClose size={12} />
      </button>
    </li>
  );
}

/** The composer's files: each with its thumbnail or name and size, progress, error and ×. */
export function UploadChips({ chatUuid }: { chatUuid: string }) {
  const list = uploads.use(chatUuid);
  if (!list.length) return null;
  return (
    <ul className="attach-chips" aria-label="Files to send">
      {list.map((u) => (
        <UploadChip key={u.id} chatUuid={chatUuid} upload={u} />
      ))}
    </ul>
  );
}

function hasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer.types).includes("Files");
}

/**
 * Dropping files anywhere on the chat attaches them; while files are dragged over it an overlay
 * says so. Enter and leave fire for every child crossed, so a depth count tells when the drag
 * really left.
 */
export function useFileDrop(chatUuid: string, enabled: boolean) {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  // A file dropped beside the zone (the sidebar) would make the browser open it in place of the app.
  useEffect(() => {
    if (!enabled) return;
    const keep = (e: globalThis.DragEvent) => {
      if (e.dataTransfer?.types.includes("Files")) e.preventDefault();
    };
    window.addEventListener("dragover", keep);
    window.addEventListener("drop", keep);
    return () => {
      window.removeEventListener("dragover", keep);
      window.removeEventListener("drop", keep);
    };
  }, [enabled]);
  if (!enabled) return { dragging: false, handlers: {} };
  return {
    dragging,
    handlers: {
      onDragEnter(e: DragEvent) {
        if (!hasFiles(e)) return;
        e.preventDefault();
        depth.current++;
        setDragging(true);
      },
      onDragOver(e: DragEvent) {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = "copy";
      },
      onDragLeave(e: DragEvent) {
        if (!hasFiles(e)) return;
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setDragging(false);
      },
      onDrop(e: DragEvent) {
        if (!hasFiles(e)) return;
        e.preventDefault();
        depth.current = 0;
        setDragging(false);
        addFiles(chatUuid, Array.from(e.dataTransfer.files));
      },
    },
  };
}

export function DropOverlay() {
  return (
    <div className="drop-overlay" data-testid="drop-overlay">
      <div className="drop-overlay-box">
        <IconPaperclip size={28} />
        <p>Drop files to attach them</p>
        <p className="muted">Images, PDFs and text files</p>
      </div>
    </div>
  );
}

/** A sent message's files: images as thumbnails, the rest as chips, each opening the file. */
export function MessageAttachments({ attachments }: { attachments: AttachmentDto[] }) {
  const images = attachments.filter((a) => isImage(a.mediaType));
  const others = attachments.filter((a) => !isImage(a.mediaType));
  return (
    <div className="msg-files" data-testid="message-attachments">
      {images.length > 0 && (
        <ul className="msg-images" aria-label="Images">
          {images.map((a) => (
            <li key={a.uuid}>
              <a href={a.url} target="_blank" rel="noopener" title={`${a.name} (${formatBytes(a.size)})`}>
                {/* eslint-disable-next-line @next/next/no-img-element -- served by our own route, per reader, uncached by next/image on purpose */}
                <img src={a.url} alt={a.name} loading="lazy" />
              </a>
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 && (
        <ul className="msg-file-chips" aria-label="Files">
          {others.map((a) => (
            <li key={a.uuid}>
              <a className="attach-chip file-link" href={a.url} target="_blank" rel="noopener">
                <span className="attach-icon" aria-hidden="true">
                  <IconFile size={16} />
                </span>
                <span className="attach-text">
                  <span className="attach-name">{a.name}</span>
                  <span className="attach-size">{formatBytes(a.size)}</span>
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
