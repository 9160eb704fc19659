/**
 * What a person does to chats and messages, as plain async functions over the query cache
 * (they outlive the component that started them: a send survives navigating to the new
 * chat's URL). Sends and creates carry a client uuid, so retrying after a network failure
 * can never make a duplicate.
 */
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import { api, ApiError } from "./api";
import { waitForNetwork } from "./connection";
import { reloadMessages, supersede, updateChatState, patchMessage } from "./messages";
import { replaceMessages, type MessagesResponse } from "./messages";
import { keys, type ChatDto, type ChatListPage, type ChatState, type ClientMessage, type MessageDto } from "./keys";
import type { AttachmentDto } from "@/lib/contract";

export function newUuid(): string {
  return crypto.randomUUID();
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Retries a request the server can safely see twice, for as long as only the network fails. */
async function retryOnNetwork<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof ApiError && err.network) || attempt >= 40) throw err;
      await waitForNetwork(Math.min(8000, 500 * 2 ** Math.min(attempt, 4)));
    }
  }
}

export async function createChat(input: { uuid: string; agent: string; model?: string }): Promise<ChatDto> {
  const { chat } = await retryOnNetwork(() => api<{ chat: ChatDto }>("/chat/create", { method: "POST", json: input }));
  return chat;
}

/** Caches a chat just created here; its messages (an agent's greeting) come with the first poll. */
export function seedChat(qc: QueryClient, chat: ChatDto): void {
  qc.setQueryData<ChatState>(keys.messages(chat.uuid), (s) => s ?? { chat, messages: [], incomplete: true });
  upsertChatInLists(qc, chat);
}

function localUserMessage(chatUuid: string, uuid: string, content: string, attachments: AttachmentDto[] = []): ClientMessage {
  return {
    uuid,
    chatUuid,
    role: "user",
    content,
    status: "pending",
    position: codePoints(content),
    createdAt: new Date().toISOString(),
    local: "sending",
    ...(attachments.length ? { attachments } : {}),
  };
}

function confirm(qc: QueryClient, chatUuid: string, message: MessageDto): void {
  updateChatState(qc, chatUuid, (s) => ({
    ...s,
    messages: s.messages.map((m) => (m.uuid === message.uuid ? (m.local ? message : m) : m)),
  }));
  // Keep server-confirmed messages before the ones still being sent.
  updateChatState(qc, chatUuid, (s) => ({ ...s, messages: [...s.messages.filter((m) => !m.local), ...s.messages.filter((m) => m.local)] }));
}

function removeMessage(qc: QueryClient, chatUuid: string, uuid: string): void {
  updateChatState(qc, chatUuid, (s) => ({ ...s, messages: s.messages.filter((m) => m.uuid !== uuid) }));
}

/**
 * Sends a user message: shown at once, retried while the network is down (same uuid, so
 * never twice), removed again if the server refuses it (the caller shows why and gives the
 * text back to the composer).
 */
export async function sendMessage(
  qc: QueryClient,
  input: { chatUuid: string; content: string; model?: string; attachments?: AttachmentDto[] },
): Promise<ApiError | null> {
  const uuid = newUuid();
  const attachments = input.attachments ?? [];
  updateChatState(qc, input.chatUuid, (s) => ({ ...s, messages: [...s.messages, localUserMessage(input.chatUuid, uuid, input.content, attachments)] }));
  try {
    const { message } = await retryOnNetwork(() =>
      api<{ message: MessageDto }>(`/chat/${input.chatUuid}/send`, {
        method: "POST",
        // The sender's zone: the clock tool answers in it (docs/design.md §3.11).
        json: {
          content: input.content,
          uuid,
          ...(input.model ? { model: input.model } : {}),
          ...(attachments.length ? { attachments: attachments.map((a) => a.uuid) } : {}),
          ...browserZone(),
        },
      }),
    );
    confirm(qc, input.chatUuid, message);
    touchChat(qc, input.chatUuid);
    return null;
  } catch (err) {
    removeMessage(qc, input.chatUuid, uuid);
    return err instanceof ApiError ? err : new ApiError(0, "unknown", "Could not send the message. Try again.");
  }
}

/** Stops the generation a message belongs to; the partial answer stays. */
export async function cancelMessage(qc: QueryClient, chatUuid: string, messageUuid: string): Promise<ApiError | null> {
  try {
    const { message } = await api<{ message: MessageDto }>(`/chat/message/${messageUuid}/cancel`, { method: "POST" });
    patchMessage(qc, chatUuid, message.uuid, message);
    return null;
  } catch (err) {
    return err instanceof ApiError ? err : null;
  }
}

/**
 * After a regenerate or an edit: the list as the server has it now (the new branch). Done, the replaced
 * messages stay hidden through the reload (a poll from before cannot bring them back); refused,
 * they come back with it.
 */
async function settle(qc: QueryClient, chatUuid: string, release: () => void, ok: boolean): Promise<void> {
  if (!ok) release();
  await reloadMessages(qc, chatUuid).catch(() => {});
  release();
}

/**
 * Answers the last user message again (the answer it had stays, a version of the new one). The
 * old answer leaves the screen at once (the question then waits for its answer: the typing
 * dots), not when the server has replaced it.
 */
export async function regenerate(qc: QueryClient, chatUuid: string): Promise<ApiError | null> {
  const before = qc.getQueryData<ChatState>(keys.messages(chatUuid));
  const lastUser = before ? before.messages.findLastIndex((m) => m.role === "user") : -1;
  const release = supersede(chatUuid, before && lastUser >= 0 ? before.messages.slice(lastUser + 1).map((m) => m.uuid) : []);
  if (before && lastUser >= 0) {
    // Show the new answer coming right away: the old one disappears, the question waits again.
    updateChatState(qc, chatUuid, (s) => ({
      ...s,
      messages: s.messages.slice(0, lastUser + 1).map((m, i) => (i === lastUser ? { ...m, status: "pending" as const } : m)),
    }));
  }
  let ok = false;
  try {
    await api<{ message: MessageDto }>(`/chat/${chatUuid}/regenerate`, { method: "POST", json: {} });
    ok = true;
    return null;
  } catch (err) {
    return err instanceof ApiError ? err : new ApiError(0, "unknown", "Could not regenerate the answer. Try again.");
  } finally {
    await settle(qc, chatUuid, release, ok);
  }
}

/**
 * Makes a new version of a user message, answered again (the old one stays a version: "‹ 1/2 ›"):
 * the old exchange leaves the screen at once and the edited message waits for its answer.
 */
export async function editMessage(qc: QueryClient, chatUuid: string, messageUuid: string, content: string): Promise<ApiError | null> {
  const uuid = newUuid();
  const before = qc.getQueryData<ChatState>(keys.messages(chatUuid))?.messages ?? [];
  const at = before.findIndex((m) => m.uuid === messageUuid);
  const release = supersede(chatUuid, at < 0 ? [] : before.slice(at).map((m) => m.uuid));
  // The new version keeps the files of the one it replaces (docs/design.md §3.12).
  const kept = before[at]?.attachments ?? [];
  updateChatState(qc, chatUuid, (s) => {
    const i = s.messages.findIndex((m) => m.uuid === messageUuid);
    return i < 0 ? s : { ...s, messages: [...s.messages.slice(0, i), localUserMessage(chatUuid, uuid, content, kept)] };
  });
  let ok = false;
  try {
    await retryOnNetwork(() => api<{ message: MessageDto }>(`/chat/${chatUuid}/edit`, { method: "POST", json: { messageUuid, content, uuid } }));
    ok = true;
    return null;
  } catch (err) {
    return err instanceof ApiError ? err : new ApiError(0, "unknown", "Could not edit the message. Try again.");
  } finally {
    await settle(qc, chatUuid, release, ok);
    // Gone unless the server kept our uuid (then the reload made it a server message).
    updateChatState(qc, chatUuid, (s) => ({ ...s, messages: s.messages.filter((m) => !(m.uuid === uuid && m.local)) }));
  }
}

/**
 * Shows another version of a message (docs/design.md §3.12): one request; the answer is the
 * active branch, whole, and replaces the list. Other tabs follow through their polls (their
 * last message is no longer visible: unknown_last_message, and they reload).
 */
export async function switchBranch(qc: QueryClient, chatUuid: string, messageUuid: string): Promise<ApiError | null> {
  try {
    const res = await api<MessagesResponse>(`/chat/${chatUuid}/branch`, { method: "POST", json: { messageUuid } });
    // A poll that left before the switch would answer with the old branch's tail: drop it.
    await qc.cancelQueries({ queryKey: keys.messages(chatUuid) });
    replaceMessages(qc, chatUuid, res);
    return null;
  } catch (err) {
    return err instanceof ApiError ? err : new ApiError(0, "unknown", "Could not show that version. Try again.");
  }
}

// ------------------------------------------------------------------ chats

type ChatLists = InfiniteData<ChatListPage, string | null>;

function mapLists(qc: QueryClient, f: (chats: ChatDto[], pageIndex: number) => ChatDto[]): void {
  qc.setQueriesData<ChatLists>({ queryKey: keys.allChats }, (data) =>
    data ? { ...data, pages: data.pages.map((p, i) => ({ ...p, chats: f(p.chats, i) })) } : data,
  );
}

function upsertChatInLists(qc: QueryClient, chat: ChatDto): void {
  mapLists(qc, (chats, i) => {
    const rest = chats.filter((c) => c.uuid !== chat.uuid);
    return i === 0 ? [chat, ...rest] : rest;
  });
}

/** A sent message makes its chat the newest one; the next list poll confirms it. */
function touchChat(qc: QueryClient, chatUuid: string): void {
  const chat = qc.getQueryData<ChatState>(keys.messages(chatUuid))?.chat;
  if (chat) upsertChatInLists(qc, { ...chat, updatedAt: new Date().toISOString() });
}

export async function updateChat(
  qc: QueryClient,
  chatUuid: string,
  patch: { title?: string; model?: string; status?: "active" | "archived" },
): Promise<ChatDto> {
  const { chat } = await api<{ chat: ChatDto }>(`/api/chats/${chatUuid}`, { method: "PATCH", json: patch });
  mapLists(qc, (chats) => chats.map((c) => (c.uuid === chat.uuid ? chat : c)));
  updateChatState(qc, chatUuid, (s) => ({ ...s, chat }));
  return chat;
}

export async function deleteChat(qc: QueryClient, chatUuid: string): Promise<void> {
  await api<{ deleted: true }>(`/api/chats/${chatUuid}`, { method: "DELETE" });
  mapLists(qc, (chats) => chats.filter((c) => c.uuid !== chatUuid));
  qc.removeQueries({ queryKey: keys.messages(chatUuid) });
}

/** The browser's IANA time zone, when it has one. */
function browserZone(): { timeZone?: string } {
  try {
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return timeZone ? { timeZone } : {};
  } catch {
    return {};
  }
}
