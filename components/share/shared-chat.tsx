"use client";

/**
 * A shared chat, read-only (/share/{shareUuid}): the messages the server rendered, then kept
 * live by polling the public endpoints. No composer, no actions but copying, nothing that
 * names who wrote what.
 */
import { useSmoothText } from "@/client/smooth-text";
import { useSharedChat, useSharedStream, type SharedMessageDto, type SharedState } from "@/client/share";
import { AnswerView, TypingIndicator } from "@/components/chat/message-item";
import { IconLock, IconSparkle } from "@/components/chat/icons";
import { MessageAttachments } from "@/components/chat/attachments";

function SharedAnswer({ shareUuid, message }: { shareUuid: string; message: SharedMessageDto }) {
  const stream = useSharedStream(shareUuid, message);
  const text = useSmoothText(stream.text);
  // Read-only: tool calls that wait for a member show as waiting, with no buttons.
  return <AnswerView messageUuid={message.uuid} status={stream.status} fullText={stream.text} text={text} parts={stream.parts} notes={message.notes} canApprove={false} error={stream.error ?? "This answer failed."} />;
}

function SharedMessage({ shareUuid, message }: { shareUuid: string; message: SharedMessageDto }) {
  if (message.role === "assistant") return <SharedAnswer shareUuid={shareUuid} message={message} />;
  if (message.role === "system") {
    return (
      <div className="msg msg-system" role="note">
        {message.content}
      </div>
    );
  }
  return (
    <article className="msg msg-user" data-status={message.status} data-message-uuid={message.uuid} aria-label="Question">
      <div className="msg-body">
        {/* Their links are the share's own (/share/{uuid}/attachment/...), readable while shared. */}
        {message.attachments && message.attachments.length > 0 && <MessageAttachments attachments={message.attachments} />}
        {(message.content !== "" || !message.attachments?.length) && (
          <div className="bubble" data-testid="message-content">
            {message.content}
          </div>
        )}
      </div>
    </article>
  );
}

export function SharedChat({ shareUuid, initial }: { shareUuid: string; initial: SharedState }) {
  const { state, gone } = useSharedChat(shareUuid, initial);
  if (gone) {
    return (
      <div className="share-gone" role="status">
        <IconLock size={22} />
        <h2>This chat is no longer shared</h2>
        <p>Its owner made it private. The link does not open it anymore.</p>
      </div>
    );
  }
  const messages = state?.messages ?? [];
  const last = messages.at(-1);
  // A question whose answer has not appeared yet (one poll at most).
  const awaiting = last?.role === "user" && (last.status === "pending" || last.status === "completed");
  return (
    <div className="messages share-messages" role="log" aria-label="Conversation" aria-live="off">
      {messages.length === 0 && <p className="muted share-empty">Nothing has been said in this chat yet.</p>}
      {messages.map((m) => (
        <SharedMessage key={m.uuid} shareUuid={shareUuid} message={m} />
      ))}
      {awaiting && (
        <article className="msg msg-assistant" data-status="waiting" aria-label="Assistant message">
          <div className="msg-avatar" aria-hidden="true">
            <IconSparkle size={16} />
          </div>
          <div className="msg-body">
            <TypingIndicator />
          </div>
        </article>
      )}
    </div>
  );
}
