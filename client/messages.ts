/**
 * The chat's messages in the React Query cache: polled every 300 ms by last uuid (only what
 * is new), merged by uuid, and reloaded whole when the server no longer shows our last uuid
 * (an edit, a regenerate or a branch switch, here or in another tab, left it off the active
 * branch: docs/design.md §3.12). The reload replaces the list: it is the other branch.
 */
import { useQuery, type QueryClient } from "@tanstack/react-query";
import { api, ApiError } from "./api";
import { isFinal, keys, type ChatDto, type ChatPresenceDto, type ChatState, type ClientMessage, type MessageDto } from "./keys";
import { isTyping } from "./drafts";
import { POLL_INTERVAL_MS } from "@/lib/contract";

export interface MessagesResponse extends Partial<ChatPresenceDto> {
  messages: MessageDto[];
  chat: ChatDto;
}

/** The newest message the server has confirmed (local ones are not known to it yet). */
function lastServerUuid(messages: ClientMessage[] | undefined): string | undefined {
  if (!messages) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) if (!messages[i]!.local) return messages[i]!.uuid;
  return undefined;
}

/**
 * A message never goes back from a final status to pending (a reload that started before its
 * token poll saw it finish answers an older copy); otherwise the server's copy wins.
 */
function pick(existing: ClientMessage | undefined, incoming: MessageDto): ClientMessage {
  if (existing && !existing.local && isFinal(existing.status) && !isFinal(incoming.status)) return existing;
  return incoming;
}

/** Server messages first, in server order, then the ones still being sent. */
function normalize(messages: ClientMessage[]): ClientMessage[] {
  const server = messages.filter((m) => !m.local);
  const local = messages.filter((m) => m.local);
  return local.length ? [...server, ...local] : server;
}

export function mergeAfter(current: ChatState | undefined, res: MessagesResponse): ChatState {
  const messages = [...(current?.messages ?? [])];
  for (const m of res.messages) {
    const i = messages.findIndex((x) => x.uuid === m.uuid);
    if (i >= 0) messages[i] = pick(messages[i], m);
    else messages.push(m);
  }
  return { chat: res.chat, messages: normalize(messages), presence: res.presence, generation: res.generation };
}

export function mergeFull(current: ChatState | undefined, res: MessagesResponse): ChatState {
  const byUuid = new Map((current?.messages ?? []).map((m) => [m.uuid, m]));
  const known = new Set(res.messages.map((m) => m.uuid));
  const stillSending = (current?.messages ?? []).filter((m) => m.local && !known.has(m.uuid));
  return {
    chat: res.chat,
    messages: [...res.messages.map((m) => pick(byUuid.get(m.uuid), m)), ...stillSending],
    presence: res.presence,
    generation: res.generation,
  };
}

/**
 * Messages a regenerate or an edit is replacing, by chat, while it is on its way: the old
 * answer (and, for an edit, the old exchange) leaves the screen at once, and a poll that the
 * server answers before it has replaced them must not bring them back.
 */
const superseded = new Map<string, Set<string>>();

/** Hides `uuids` from every merge until the returned function is called. */
export function supersede(chatUuid: string, uuids: string[]): () => void {
  const set = new Set(uuids);
  superseded.set(chatUuid, set);
  return () => {
    if (superseded.get(chatUuid) === set) superseded.delete(chatUuid);
  };
}

function withoutSuperseded(chatUuid: string, state: ChatState): ChatState {
  const hidden = superseded.get(chatUuid);
  return hidden ? { ...state, messages: state.messages.filter((m) => !hidden.has(m.uuid)) } : state;
}

export async function fetchMessages(qc: QueryClient, chatUuid: string, opts: { full?: boolean } = {}): Promise<ChatState> {
  const key = keys.messages(chatUuid);
  const cached = qc.getQueryData<ChatState>(key);
  const last = opts.full || cached?.incomplete ? undefined : lastServerUuid(cached?.messages);
  // Presence rides on the poll: the others see "typing" while our draft here is being written.
  const typing = isTyping(chatUuid) ? "?typing=1" : "";
  if (last) {
    try {
      const res = await api<MessagesResponse>(`/chat/${chatUuid}/messages/${last}${typing}`);
      // Merge into what is cached NOW: token polls and sends may have changed it meanwhile.
      return withoutSuperseded(chatUuid, mergeAfter(qc.getQueryData<ChatState>(key), res));
    } catch (err) {
      if (!(err instanceof ApiError && err.code === "unknown_last_message")) throw err;
    }
  }
  const res = await api<MessagesResponse>(`/chat/${chatUuid}/messages${typing}`);
  return withoutSuperseded(chatUuid, mergeFull(qc.getQueryData<ChatState>(key), res));
}

/** The whole list as the server answered it (a branch switch): what was shown is replaced, not merged. */
export function replaceMessages(qc: QueryClient, chatUuid: string, res: MessagesResponse): void {
  qc.setQueryData<ChatState>(keys.messages(chatUuid), (s) => withoutSuperseded(chatUuid, mergeFull(s, { ...res, presence: res.presence ?? s?.presence, generation: res.generation ?? s?.generation })));
}

/** Reloads the whole list now (after regenerate and edit, which remove messages). */
export async function reloadMessages(qc: QueryClient, chatUuid: string): Promise<void> {
  await qc.cancelQueries({ queryKey: keys.messages(chatUuid) });
  await qc.fetchQuery({ queryKey: keys.messages(chatUuid), queryFn: () => fetchMessages(qc, chatUuid, { full: true }), staleTime: 0 });
}

export function updateChatState(qc: QueryClient, chatUuid: string, update: (s: ChatState) => ChatState): void {
  qc.setQueryData<ChatState>(keys.messages(chatUuid), (s) => (s ? update(s) : s));
}

export function patchMessage(qc: QueryClient, chatUuid: string, uuid: string, patch: Partial<ClientMessage>): void {
  updateChatState(qc, chatUuid, (s) => ({ ...s, messages: s.messages.map((m) => (m.uuid === uuid ? { ...m, ...patch } : m)) }));
}

/** The chat and its messages, polled every 300 ms while the tab is visible. */
export function useChatMessages(chatUuid: string, qc: QueryClient) {
  return useQuery({
    queryKey: keys.messages(chatUuid),
    queryFn: () => fetchMessages(qc, chatUuid),
    refetchInterval: POLL_INTERVAL_MS,
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: "always",
    refetchOnReconnect: "always",
    staleTime: 0,
    retry: false,
  });
}
