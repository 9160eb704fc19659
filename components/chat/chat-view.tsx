"use client";

/** One conversation: its header (title, model), messages streaming in, and the composer. */
import { useCallback, useEffect, useState } from "react";
import Link from "next/link";
import { useQueryClient } from "@tanstack/react-query";
import { useChatMessages } from "@/client/messages";
import { cancelMessage, editMessage, regenerate, switchBranch, updateChat } from "@/client/actions";
import { ApiError } from "@/client/api";
import { noticeFor, notices } from "@/client/notices";
import { sendAndReport } from "@/client/send";
import type { ChatState, ClientMessage } from "@/client/keys";
import { MessageList } from "./message-list";
import { Composer } from "./composer";
import { ModelPicker } from "./model-picker";
import { AgentBadge, useAgentName } from "./agent-badge";
import { TopBar } from "./top-bar";
import { ShareControl } from "./share-control";
import { chatTitle } from "./chat-list-item";
import { useShell } from "./shell";
import { Avatar } from "./avatar";
import { MembersDialog } from "./members-dialog";
import { IconUsers } from "./icons";
import { AttachButton, DropOverlay, UploadChips, useFileDrop } from "./attachments";

/** What is generating now, if anything: the message to cancel to stop it. */
function generationState(messages: ClientMessage[]): { generating: boolean; awaitingAnswer: boolean; stopTarget?: string } {
  const pending = messages.findLast((m) => m.status === "pending" && !m.local);
  const last = messages.at(-1);
  // Between the question completing and its answer appearing in our list (one poll at most).
  const awaitingAnswer = last?.role === "user" && last.status !== "failed" && last.status !== "cancelled";
  if (pending) return { generating: true, awaitingAnswer: Boolean(awaitingAnswer), stopTarget: pending.uuid };
  if (awaitingAnswer) return { generating: !last.local, awaitingAnswer: true, stopTarget: last.local ? undefined : last.uuid };
  return { generating: false, awaitingAnswer: false };
}

export function ChatView({ chatUuid }: { chatUuid: string }) {
  const qc = useQueryClient();
  const { data, error } = useChatMessages(chatUuid, qc);
  const [actionBusy, setActionBusy] = useState(false);

  const messages = data?.messages ?? [];
  const { generating, awaitingAnswer, stopTarget } = generationState(messages);

  const report = useCallback((err: ApiError | null) => {
    if (err) notices.set(chatUuid, noticeFor(err));
  }, [chatUuid]);

  const stop = useCallback(() => {
    if (stopTarget) void cancelMessage(qc, chatUuid, stopTarget).then(report);
  }, [qc, chatUuid, stopTarget, report]);

  const onRegenerate = useCallback(() => {
    setActionBusy(true);
    notices.set(chatUuid, null);
    void regenerate(qc, chatUuid)
      .then(report)
      .finally(() => setActionBusy(false));
  }, [qc, chatUuid, report]);

  const onEdit = useCallback(
    (messageUuid: string, content: string) => {
      setActionBusy(true);
      notices.set(chatUuid, null);
      void editMessage(qc, chatUuid, messageUuid, content)
        .then(report)
        .finally(() => setActionBusy(false));
    },
    [qc, chatUuid, report],
  );

  const onSwitch = useCallback(
    (messageUuid: string) => {
      setActionBusy(true);
      notices.set(chatUuid, null);
      void switchBranch(qc, chatUuid, messageUuid)
        .then(report)
        .finally(() => setActionBusy(false));
    },
    [qc, chatUuid, report],
  );

  // Escape stops the answer from anywhere but a field that uses Escape itself.
  useEffect(() => {
    if (!generating) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented || document.querySelector("dialog[open]")) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || (t.tagName === "TEXTAREA" && !t.closest(".composer")))) return;
      stop();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [generating, stop]);

  if (!data) {
    const gone = error instanceof ApiError && error.status === 404;
    return (
      <>
        <TopBar title={<span className="muted">{gone ? "Chat not found" : "Loading…"}</span>} />
        <div className="chat-missing">
          {gone ? (
            <>
              <p>This chat does not exist anymore. It may have been deleted on another device.</p>
              <Link href="/chat" className="btn btn-primary">
                Start a new chat
              </Link>
            </>
          ) : (
            <p className="muted">Loading the conversation…</p>
          )}
        </div>
      </>
    );
  }

  const deleted = error instanceof ApiError && error.status === 404;
  // Viewers read along: no stop, no send (the server refuses them too).
  const canWrite = data.chat.role !== "viewer";
  return <ChatScreen data={data} deleted={deleted} generating={generating} awaitingAnswer={awaitingAnswer} actionBusy={actionBusy}
    onStop={stopTarget && canWrite ? stop : undefined} onRegenerate={onRegenerate} onEdit={onEdit} onSwitch={onSwitch} />;
}

function ChatScreen(props: {
  data: ChatState;
  deleted: boolean;
  generating: boolean;
  awaitingAnswer: boolean;
  actionBusy: boolean;
  onStop?: () => void;
  onRegenerate: () => void;
  onEdit: (messageUuid: string, content: string) => void;
  onSwitch: (messageUuid: string) => void;
}) {
  const qc = useQueryClient();
  const { user } = useShell();
  const { chat, messages, presence = [], generation } = props.data;
  const [modelError, setModelError] = useState("");
  const [membersOpen, setMembersOpen] = useState(false);
  const busy = props.generating || props.actionBusy;
  const readOnly = chat.role === "viewer";
  const typing = presence.filter((p) => p.typing);
  const agentName = useAgentName(chat.agent);
  const askedBy = generation?.requestedBy && generation.requestedBy.id !== user.id ? generation.requestedBy.name : undefined;
  const canAttach = !readOnly && !props.deleted;
  const drop = useFileDrop(chat.uuid, canAttach);

  const changeModel = (model: string) => {
    setModelError("");
    updateChat(qc, chat.uuid, { model }).catch((err: unknown) => setModelError(err instanceof ApiError ? err.message : "Could not change the model."));
  };

  return (
    <div className={`chat-screen${drop.dragging ? " dropping" : ""}`} {...drop.handlers}>
      {drop.dragging && <DropOverlay />}
      <TopBar
        title={
          <div className="chat-heading">
            <h1 className="chat-title" title={chatTitle(chat)}>
              {chatTitle(chat)}
            </h1>
            <AgentBadge agentId={chat.agent} modelId={chat.model} />
          </div>
        }
      >
        {presence.length > 0 && (
          <div className="presence" aria-label={`Here now: ${presence.map((p) => p.name).join(", ")}`} role="group" data-testid="presence">
            {presence.slice(0, 4).map((p) => (
              <Avatar key={p.userId} id={p.userId} name={p.name} size={26} title={`${p.name} is here`} />
            ))}
            {presence.length > 4 && <span className="presence-more">+{presence.length - 4}</span>}
          </div>
        )}
        <button
          type="button"
          className={`icon-btn${chat.shared ? " active" : ""}`}
          aria-label={chat.shared ? "People in this chat" : "Invite people"}
          title={chat.shared ? "People in this chat" : "Invite people"}
          onClick={() => setMembersOpen(true)}
        >
          <IconUsers size={18} />
        </button>
        {chat.role === "owner" && !props.deleted && <ShareControl chatUuid={chat.uuid} />}
      </TopBar>
      {membersOpen && <MembersDialog chatUuid={chat.uuid} me={user.id} onClose={() => setMembersOpen(false)} />}
      {props.deleted && (
        <div className="banner" role="alert">
          This chat was deleted on another device. <Link href="/chat">Start a new chat</Link>
        </div>
      )}
      <MessageList
        chatUuid={chat.uuid}
        messages={messages}
        awaitingAnswer={props.awaitingAnswer}
        busy={busy}
        onRegenerate={props.onRegenerate}
        onEdit={props.onEdit}
        onSwitch={props.onSwitch}
        shared={chat.shared}
        me={user.id}
        readOnly={readOnly}
      />
      <div className="activity-line" aria-live="polite" data-testid="activity">
        {typing.length > 0
          ? `${typing.map((p) => p.name).join(", ")} ${typing.length > 1 ? "are" : "is"} typing…`
          : askedBy && props.generating
            ? `Answering ${askedBy}${readOnly ? "" : ". Any editor can stop it."}`
            : ""}
      </div>
      {readOnly ? (
        <p className="read-only-note" role="note">
          You can read this chat. Ask its owner to make you an editor to write in it.
        </p>
      ) : (
      <Composer
        draftKey={chat.uuid}
        noticeKey={chat.uuid}
        placeholder={`Message ${agentName || "PollChat"}`}
        generating={props.generating}
        onStop={props.onStop}
        onSend={(text, attachments) => sendAndReport(qc, chat.uuid, text, undefined, attachments)}
        uploadsKey={canAttach ? chat.uuid : undefined}
        chips={canAttach && <UploadChips chatUuid={chat.uuid} />}
        autoFocus
        tools={
          <>
            {canAttach && <AttachButton chatUuid={chat.uuid} />}
            <ModelPicker value={chat.model} onChange={changeModel} />
            {modelError && (
              <span className="tool-error" role="alert">
                {modelError}
              </span>
            )}
          </>
        }
      />
      )}
    </div>
  );
}
