"use client";

import { useCallback, useRef, useState } from "react";
import type { ClientMessage } from "@/client/keys";
import { useStickToBottom } from "@/client/auto-scroll";
import { MessageItem, TypingIndicator } from "./message-item";
import { IconArrowDown, IconSparkle } from "./icons";

interface Props {
  chatUuid: string;
  messages: ClientMessage[];
  /** A question is waiting for its answer to appear. */
  awaitingAnswer: boolean;
  busy: boolean;
  onRegenerate: () => void;
  onEdit: (messageUuid: string, content: string) => void;
  onSwitch: (messageUuid: string) => void;
  empty?: React.ReactNode;
  /** A chat with several people: user messages show who wrote them. */
  shared?: boolean;
  /** The reader's user id: their own messages are "You". */
  me?: string;
  /** A viewer: no edit, regenerate or retry. */
  readOnly?: boolean;
}

export function MessageList({ chatUuid, messages, awaitingAnswer, busy, onRegenerate, onEdit, onSwitch, empty, shared = false, me, readOnly = false }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const contentRef = useRef<HTMLDivElement>(null);
  const { atBottom, scrollToBottom } = useStickToBottom(scrollRef, contentRef);
  const [announcement, setAnnouncement] = useState("");
  const onFinished = useCallback((text: string) => {
    const plain = text.replace(/[#*_`>|~-]+/g, " ").replace(/\s+/g, " ").trim();
    setAnnouncement(`Answer complete: ${plain.length > 400 ? `${plain.slice(0, 400)}…` : plain}`);
  }, []);

  const last = messages.at(-1);
  const hasQuestion = messages.some((m) => m.role === "user");
  const lastAnswer = last?.role === "assistant" && hasQuestion ? last.uuid : undefined;

  return (
    <div className="messages-region">
    <div className="messages-scroll" ref={scrollRef}>
      <div className="messages" ref={contentRef} role="log" aria-label="Conversation" aria-live="off">
        {messages.length === 0 && empty}
        {messages.map((m) => (
          <MessageItem
            key={m.uuid}
            chatUuid={chatUuid}
            message={m}
            isLastAnswer={m.uuid === lastAnswer}
            busy={busy}
            shared={shared}
            mine={!m.author || m.author.id === me}
            readOnly={readOnly}
            onRegenerate={onRegenerate}
            onEdit={onEdit}
            onSwitch={onSwitch}
            onFinished={onFinished}
          />
        ))}
        {awaitingAnswer && (
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
    </div>
      <div className="sr-only" aria-live="polite" aria-atomic="true" data-testid="answer-announcer">
        {announcement}
      </div>
      {!atBottom && (
        <button type="button" className="jump-latest" onClick={() => scrollToBottom("smooth")}>
          <IconArrowDown size={16} /> Jump to latest
        </button>
      )}
    </div>
  );
}
