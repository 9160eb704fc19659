"use client";

import { memo, useEffect, useRef, useState, type ReactNode } from "react";
import { useMessageStream } from "@/client/stream";
import { useSmoothText } from "@/client/smooth-text";
import type { ClientMessage } from "@/client/keys";
import { hasRichParts, type Part } from "@/lib/parts";
import { Markdown } from "./markdown";
import { MessageParts } from "./message-parts";
import { TypingIndicator } from "./typing-indicator";
import { CopyButton } from "./copy-button";
import { IconAlert, IconEdit, IconRefresh, IconSparkle } from "./icons";
import { Avatar } from "./avatar";
import { MessageAttachments } from "./attachments";
import { VersionSwitch } from "./version-switch";

interface Props {
  chatUuid: string;
  message: ClientMessage;
  /** The last answer of the chat: it can be regenerated. */
  isLastAnswer: boolean;
  /** Edit, regenerate and retry wait while an answer is generating. */
  busy: boolean;
  onRegenerate: () => void;
  onEdit: (messageUuid: string, content: string) => void;
  /** Shows another version of a message (and what followed it). */
  onSwitch: (messageUuid: string) => void;
  /** Called once when an answer finishes in front of the person (for the aria-live region). */
  onFinished: (text: string) => void;
  /** A chat with several people: show who wrote each user message. */
  shared: boolean;
  /** Written by the reader (or a message without an author, such as one being sent). */
  mine: boolean;
  /** The reader may only read: no edit, regenerate or retry. */
  readOnly: boolean;
}

export { TypingIndicator };

function AssistantMessage({ chatUuid, message, isLastAnswer, busy, onRegenerate, onSwitch, onFinished, readOnly }: Props) {
  const stream = useMessageStream(chatUuid, message);
  const text = useSmoothText(stream.text);
  const pending = stream.status === "pending";
  const wasPending = useRef(pending);
  useEffect(() => {
    if (wasPending.current && !pending) onFinished(stream.text);
    wasPending.current = pending;
  }, [pending, stream.text, onFinished]);

  return (
    <AnswerView
      messageUuid={message.uuid}
      status={stream.status}
      fullText={stream.text}
      text={text}
      parts={stream.parts}
      notes={message.notes}
      canApprove={!readOnly}
      error={stream.error ?? "The answer failed. Try again."}
      retry={
        isLastAnswer &&
        !readOnly && (
          <button type="button" className="btn btn-small" onClick={onRegenerate} disabled={busy}>
            <IconRefresh size={14} /> Retry
          </button>
        )
      }
      pinned={isLastAnswer}
      actions={
        <>
          {message.versions && <VersionSwitch uuid={message.uuid} versions={message.versions} disabled={busy || readOnly} onSwitch={onSwitch} />}
          {isLastAnswer && !readOnly && stream.status !== "failed" && (
            <button type="button" className="icon-btn" aria-label="Regenerate answer" title="Regenerate answer" onClick={onRegenerate} disabled={busy}>
              <IconRefresh size={16} />
            </button>
          )}
        </>
      }
    />
  );
}

/**
 * An answer as it streams in, in the chat and on the public share page: the typing dots, then
 * its Markdown (revealed smoothly: `text` is what is shown so far of `fullText`), or, with
 * `parts` beyond text, its reasoning, text, tool calls and sources in order; its error, with
 * `retry` beside it; once final, the copy button and `actions`.
 */
export function AnswerView(props: {
  messageUuid: string;
  status: ClientMessage["status"];
  fullText: string;
  text: string;
  error: string;
  /** The answer's parts; without any but text it renders as a plain answer. */
  parts?: Part[];
  /** For the people reading: files the model could not be given, and why. */
  notes?: string[];
  /** The reader may allow or deny a tool call that waits (never on the share page). */
  canApprove?: boolean;
  retry?: ReactNode;
  actions?: ReactNode;
  pinned?: boolean;
}) {
  const { status, text, fullText } = props;
  const pending = status === "pending";
  const revealing = pending || text.length < fullText.length;
  return (
    <article className="msg msg-assistant" data-status={status} data-message-uuid={props.messageUuid} aria-label="Assistant message">
      <div className="msg-avatar" aria-hidden="true">
        <IconSparkle size={16} />
      </div>
      <div className="msg-body">
        {hasRichParts(props.parts) ? (
          <MessageParts messageUuid={props.messageUuid} parts={props.parts} text={text} status={status} revealing={revealing} canApprove={props.canApprove ?? false} />
        ) : text === "" && pending ? (
          <TypingIndicator />
        ) : (
          <div className={`msg-content${revealing ? " streaming" : ""}`} data-testid="message-content">
            <Markdown text={text} partial={revealing || status !== "completed"} />
          </div>
        )}
        {status === "failed" && (
          <div className="msg-error" role="alert">
            <IconAlert size={16} />
            <span>{props.error}</span>
            {props.retry}
          </div>
        )}
        {props.notes?.map((note, i) => (
          <p key={i} className="msg-note msg-file-note" data-testid="answer-note">
            {note}
          </p>
        ))}
        {status === "cancelled" && <p className="msg-note">Stopped</p>}
        {!pending && (
          <div className={`msg-actions${props.pinned ? " pinned" : ""}`}>
            <CopyButton label="Copy message" getText={() => fullText} />
            {props.actions}
          </div>
        )}
      </div>
    </article>
  );
}

function UserMessage({ chatUuid, message, busy, onEdit, onSwitch, shared, mine, readOnly }: Props) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(message.content);
  const stream = useMessageStream(chatUuid, message);
  const failed = stream.status === "failed";

  if (editing) {
    return (
      <article className="msg msg-user editing" aria-label="Edit your message">
        <form
          className="edit-box"
          onSubmit={(e) => {
            e.preventDefault();
            if (!value.trim()) return;
            setEditing(false);
            onEdit(message.uuid, value);
          }}
        >
          <label className="sr-only" htmlFor={`edit-${message.uuid}`}>
            Edit message
          </label>
          <textarea
            id={`edit-${message.uuid}`}
            value={value}
            autoFocus
            rows={Math.min(12, Math.max(2, value.split("\n").length))}
            onChange={(e) => setValue(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                e.preventDefault();
                e.stopPropagation();
                setEditing(false);
              } else if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
          <div className="edit-actions">
            <button type="button" className="btn btn-small" onClick={() => setEditing(false)}>
              Cancel
            </button>
            <button type="submit" className="btn btn-small btn-primary" disabled={!value.trim() || busy}>
              Send
            </button>
          </div>
        </form>
      </article>
    );
  }

  const author = message.author;
  const byline = shared && author ? (mine ? "You" : author.name) : undefined;
  return (
    <article
      className={`msg msg-user${mine ? "" : " other"}`}
      data-status={message.local ? "sending" : stream.status}
      data-message-uuid={message.uuid}
      aria-label={mine ? "Your message" : `Message from ${author?.name ?? "someone"}`}
    >
      {byline && !mine && author && <Avatar id={author.id} name={author.name} size={28} />}
      <div className="msg-body">
        {byline && (
          <p className="msg-author" data-testid="message-author">
            {byline}
          </p>
        )}
        {message.attachments && message.attachments.length > 0 && <MessageAttachments attachments={message.attachments} />}
        {/* Files alone make a message too: then there is no empty bubble. */}
        {(message.content !== "" || !message.attachments?.length) && (
          <div className="bubble" data-testid="message-content">
            {message.content}
          </div>
        )}
        {message.local && <p className="msg-note">Sending…</p>}
        {failed && (
          <div className="msg-error" role="alert">
            <IconAlert size={16} />
            <span>{stream.error ?? "This message could not be answered."}</span>
          </div>
        )}
        {!message.local && (
          <div className="msg-actions">
            {message.versions && <VersionSwitch uuid={message.uuid} versions={message.versions} disabled={busy || readOnly} onSwitch={onSwitch} />}
            <CopyButton label="Copy message" getText={() => message.content} />
            {mine && !readOnly && (
            <button
              type="button"
              className="icon-btn"
              aria-label="Edit message"
              title="Edit message"
              disabled={busy}
              onClick={() => {
                setValue(message.content);
                setEditing(true);
              }}
            >
              <IconEdit size={16} />
            </button>
            )}
          </div>
        )}
      </div>
    </article>
  );
}

function SystemMessage({ message }: Props) {
  return (
    <div className="msg msg-system" role="note">
      {message.content}
    </div>
  );
}

export const MessageItem = memo(function MessageItem(props: Props) {
  switch (props.message.role) {
    case "assistant":
      return <AssistantMessage {...props} />;
    case "user":
      return <UserMessage {...props} />;
    default:
      return <SystemMessage {...props} />;
  }
});
