"use client";

/**
 * The new-chat screen: pick an agent (cards), write, attach files, send. The chat is created with
 * a client uuid (a retried create finds the same chat) only at the send, then the URL becomes
 * /chat/{uuid}; the conversation shows here at once while the server renders that page. Files are
 * uploaded before the chat exists, to no chat (client/uploads.ts NEW_CHAT), and the first send
 * binds them to it (docs/design.md §3.13).
 */
import { useState } from "react";
import { useRouter } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";
import { createChat, newUuid, seedChat } from "@/client/actions";
import { ApiError } from "@/client/api";
import { noticeFor, notices } from "@/client/notices";
import { sendAndReport } from "@/client/send";
import { NEW_CHAT, restoreUploads } from "@/client/uploads";
import type { AgentInfo } from "@/client/keys";
import type { AttachmentDto } from "@/lib/contract";
import { AttachButton, DropOverlay, MessageAttachments, UploadChips, useFileDrop } from "./attachments";
import { Composer } from "./composer";
import { ModelPicker, useModels } from "./model-picker";
import { TopBar } from "./top-bar";
import { TypingIndicator } from "./message-item";
import { IconCode, IconPen, IconSparkle } from "./icons";

const AGENT_ICONS: Record<string, React.ReactNode> = {
  assistant: <IconSparkle size={20} />,
  coder: <IconCode size={20} />,
  writer: <IconPen size={20} />,
};

/**
 * Static on purpose: a live conversation here would re-render every frame while the router
 * renders /chat/{uuid} in a transition, and could hold that navigation back.
 */
function StartingChat({ text, attachments }: { text: string; attachments: AttachmentDto[] }) {
  return (
    <div className="chat-screen">
      <TopBar title={<span className="muted">New chat</span>} />
      <div className="messages-region">
        <div className="messages-scroll">
          <div className="messages" role="log" aria-label="Conversation">
            <article className="msg msg-user" data-status="sending" aria-label="Your message">
              <div className="msg-body">
                {attachments.length > 0 && <MessageAttachments attachments={attachments} />}
                {text && (
                  <div className="bubble" data-testid="message-content">
                    {text}
                  </div>
                )}
              </div>
            </article>
            <article className="msg msg-assistant" data-status="waiting" aria-label="Assistant message">
              <div className="msg-avatar" aria-hidden="true">
                <IconSparkle size={16} />
              </div>
              <div className="msg-body">
                <TypingIndicator />
              </div>
            </article>
          </div>
        </div>
      </div>
    </div>
  );
}

function greetingFor(name: string | null): string {
  const h = new Date().getHours();
  const part = h < 5 ? "Good evening" : h < 12 ? "Good morning" : h < 18 ? "Good afternoon" : "Good evening";
  return name ? `${part}, ${name.split(" ")[0]}` : part;
}

export function NewChat({ agents, userName }: { agents: AgentInfo[]; userName: string | null }) {
  const qc = useQueryClient();
  const router = useRouter();
  const { data: models } = useModels();
  const [agentId, setAgentId] = useState(agents[0]?.id ?? "assistant");
  const [model, setModel] = useState<string | null>(null);
  // Once sent: the question, shown while the chat's own page loads (which then polls the answer).
  const [started, setStarted] = useState<{ text: string; attachments: AttachmentDto[] } | null>(null);
  const [greeting] = useState(() => greetingFor(userName));
  const agent = agents.find((a) => a.id === agentId) ?? agents[0];
  const drop = useFileDrop(NEW_CHAT, started === null);

  if (started !== null) return <StartingChat {...started} />;

  async function start(text: string, attachments: AttachmentDto[]): Promise<boolean> {
    const uuid = newUuid();
    try {
      const chat = await createChat({ uuid, agent: agentId, model: model ?? models?.default });
      seedChat(qc, chat);
      setStarted({ text, attachments });
      router.replace(`/chat/${chat.uuid}`);
      // Refused (the send says why in the chat's notice, its text back in the chat's draft): the
      // files wait in the chat's composer too, still unsent, to be sent there.
      void sendAndReport(qc, chat.uuid, text, undefined, attachments).then((ok) => {
        if (!ok) restoreUploads(chat.uuid, attachments);
      });
      return true;
    } catch (err) {
      notices.set("new", noticeFor(err instanceof ApiError ? err : new ApiError(0, "unknown", "Could not start the chat. Try again.")));
      return false;
    }
  }

  function onCardKey(e: React.KeyboardEvent, index: number) {
    const delta = e.key === "ArrowRight" || e.key === "ArrowDown" ? 1 : e.key === "ArrowLeft" || e.key === "ArrowUp" ? -1 : 0;
    if (!delta) return;
    e.preventDefault();
    const next = agents[(index + delta + agents.length) % agents.length];
    if (!next) return;
    setAgentId(next.id);
    document.getElementById(`agent-${next.id}`)?.focus();
  }

  return (
    <div className={`chat-screen new-chat${drop.dragging ? " dropping" : ""}`} {...drop.handlers}>
      {drop.dragging && <DropOverlay />}
      <TopBar title={<span className="muted">New chat</span>} />
      <div className="new-chat-body">
        <div className="new-chat-inner">
          <h1 className="hero" suppressHydrationWarning>
            {greeting}
          </h1>
          <p className="hero-sub">Choose who you want to talk to, then ask anything. Answers keep going even if you close the tab.</p>
          <div className="agent-grid" role="radiogroup" aria-label="Agent">
            {agents.map((a, i) => (
              <button
                key={a.id}
                id={`agent-${a.id}`}
                type="button"
                role="radio"
                aria-checked={a.id === agentId}
                tabIndex={a.id === agentId ? 0 : -1}
                className="agent-card"
                onClick={() => setAgentId(a.id)}
                onKeyDown={(e) => onCardKey(e, i)}
              >
                <span className="agent-icon" aria-hidden="true">
                  {AGENT_ICONS[a.id] ?? <IconSparkle size={20} />}
                </span>
                <span className="agent-name">{a.name}</span>
                <span className="agent-desc">{a.description}</span>
              </button>
            ))}
          </div>
          {agent?.greeting && <p className="agent-greeting">{agent.greeting}</p>}
        </div>
      </div>
      <Composer
        draftKey="new"
        noticeKey="new"
        placeholder={`Message ${agent?.name ?? "PollChat"}`}
        generating={false}
        onSend={start}
        autoFocus
        uploadsKey={NEW_CHAT}
        chips={<UploadChips chatUuid={NEW_CHAT} />}
        tools={
          <>
            <AttachButton chatUuid={NEW_CHAT} />
            <ModelPicker value={model} onChange={setModel} />
          </>
        }
      />
    </div>
  );
}
