"use client";

import { useEffect, useRef, useState, type ClipboardEvent, type KeyboardEvent, type ReactNode } from "react";
import { getDraft, useDraft } from "@/client/drafts";
import { addFiles, takeUploads, uploads, waitForUploads } from "@/client/uploads";
import type { AttachmentDto } from "@/lib/contract";
import { notices } from "@/client/notices";
import { formatDuration } from "@/lib/duration";
import { DEFAULT_MAX_MESSAGE_CHARS as MAX_MESSAGE_CHARS } from "@/lib/contract";
import { IconAlert, IconClose, IconSend, IconStop } from "./icons";

interface Props {
  /** Where the draft is kept: a chat uuid, or "new". */
  draftKey: string;
  /** Notices of this chat (409, 429...) show above the input. */
  noticeKey: string;
  placeholder: string;
  generating: boolean;
  /** Sends; resolves false when the text (and files) must stay in the composer (refused, offline). */
  onSend: (text: string, attachments: AttachmentDto[]) => Promise<boolean> | boolean;
  /** The chat files are uploaded to (client/uploads.ts; NEW_CHAT: a chat not created yet); without it, no files. */
  uploadsKey?: string;
  /** The files to send (components/chat/attachments.tsx), shown above the input. */
  chips?: ReactNode;
  onStop?: () => void;
  /** Extra controls under the input (the model picker). */
  tools?: React.ReactNode;
  autoFocus?: boolean;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

const NO_FILES: never[] = [];

export function Composer({ draftKey, noticeKey, placeholder, generating, onSend, onStop, tools, autoFocus, uploadsKey, chips }: Props) {
  const [draft, setDraft] = useDraft(draftKey);
  const files = uploads.use(uploadsKey ?? "");
  const attached = uploadsKey ? files : NO_FILES;
  const [waiting, setWaiting] = useState(false);
  const notice = notices.use(noticeKey);
  const ref = useRef<HTMLTextAreaElement>(null);
  const [busy, setBusy] = useState(false);
  const now = useNow(notice?.retryAt !== undefined);
  const waitSecs = notice?.retryAt ? Math.ceil((notice.retryAt - now) / 1000) : 0;
  const length = codePoints(draft);
  const tooLong = length > MAX_MESSAGE_CHARS;
  // A message may be files alone; a file still uploading counts (Send waits for it).
  const hasFiles = attached.some((f) => f.status !== "failed");
  const canSend = (draft.trim() !== "" || hasFiles) && !tooLong && !busy && waitSecs <= 0;

  // Grow with the text, up to the CSS max-height.
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${el.scrollHeight}px`;
  }, [draft]);

  useEffect(() => {
    if (autoFocus && window.matchMedia("(pointer: fine)").matches) ref.current?.focus();
  }, [autoFocus, draftKey]);

  async function submit() {
    if (generating) {
      notices.set(noticeKey, { text: "An answer is still being generated. Wait for it to finish or stop it first." });
      return;
    }
    if (!canSend) return;
    setBusy(true);
    notices.set(noticeKey, null);
    try {
      if (uploadsKey && attached.some((f) => f.status === "uploading")) {
        setWaiting(true);
        await waitForUploads(uploadsKey);
        setWaiting(false);
      }
      // After waiting for uploads: the text as it is now, not as it was at the click.
      const text = getDraft(draftKey);
      const taken = uploadsKey ? takeUploads(uploadsKey) : undefined;
      const attachments = taken?.attachments ?? [];
      // Every file failed (their chips say why) and there is no text: nothing to send.
      if (text.trim() === "" && attachments.length === 0) return;
      setDraft("");
      const ok = await onSend(text, attachments);
      if (ok) taken?.done();
      else {
        setDraft(text);
        taken?.restore();
      }
    } finally {
      setWaiting(false);
      setBusy(false);
      ref.current?.focus();
    }
  }

  /** Files or a screenshot pasted: attached. Text pasted with them (an office app copies both) still pastes. */
  function onPaste(e: ClipboardEvent<HTMLTextAreaElement>) {
    if (!uploadsKey) return;
    const pasted = Array.from(e.clipboardData.files);
    if (!pasted.length) return;
    if (!e.clipboardData.types.includes("text/plain")) e.preventDefault();
    addFiles(uploadsKey, pasted);
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit();
    } else if (e.key === "Escape" && generating && onStop) {
      e.preventDefault();
      onStop();
    }
  }

  return (
    <div className="composer-wrap">
      {notice && (
        <div className="composer-notice" role="alert">
          <IconAlert size={16} />
          <span>
            {notice.retryAt && waitSecs > 0 ? `${notice.text} You can send again in ${formatDuration(waitSecs, "short")}.` : notice.text}
          </span>
          <button type="button" className="icon-btn small" aria-label="Dismiss" onClick={() => notices.set(noticeKey, null)}>
            <IconClose size={14} />
          </button>
        </div>
      )}
      <form
        className="composer"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {chips}
        <label htmlFor={`composer-${draftKey}`} className="sr-only">
          Message
        </label>
        <textarea
          id={`composer-${draftKey}`}
          ref={ref}
          rows={1}
          value={draft}
          placeholder={placeholder}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          aria-describedby={`composer-hint-${draftKey}`}
          aria-invalid={tooLong || undefined}
          enterKeyHint="send"
        />
        <div className="composer-bar">
          <div className="composer-tools">{tools}</div>
          <div className="composer-actions">
            {waiting && (
              <span className="composer-waiting" role="status">
                Sending when the files are uploaded…
              </span>
            )}
            {length > MAX_MESSAGE_CHARS * 0.8 && (
              <span className={`char-count${tooLong ? " over" : ""}`} aria-live="polite">
                {length.toLocaleString("en-US")} / {MAX_MESSAGE_CHARS.toLocaleString("en-US")}
              </span>
            )}
            {generating && onStop ? (
              <button type="button" className="send-btn stop" onClick={onStop} aria-label="Stop generating" title="Stop generating (Esc)">
                <IconStop />
              </button>
            ) : (
              <button type="submit" className="send-btn" disabled={!canSend} aria-label="Send message" title="Send (Enter)">
                <IconSend />
              </button>
            )}
          </div>
        </div>
      </form>
      <p className="composer-hint" id={`composer-hint-${draftKey}`}>
        <kbd>Enter</kbd> to send, <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line{generating && onStop ? <>, <kbd>Esc</kbd> to stop</> : null}.
      </p>
    </div>
  );
}
