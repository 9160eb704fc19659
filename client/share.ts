/**
 * The share page's polls (/share/{shareUuid}), read-only: the messages by last uuid, and the
 * tokens of each pending answer by position, against the public endpoints keyed by the share
 * uuid (same answers as the members' polls, parts included). Fast while an answer is generating,
 * slower when the chat is quiet; a hidden tab does not poll. A 404 means the owner made the chat private.
 */
import { POLL_INTERVAL_MS } from "@/lib/contract";
import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api, ApiError } from "./api";
import { isFinal, type StreamState, type TokensDto } from "./keys";
import { foldPartsDelta, keepParts, partsOfMessage, partsQuery, withMessageParts } from "./parts";
import type { SharedChatDto, SharedMessageDto } from "@/lib/contract";

export type { SharedChatDto, SharedMessageDto };

export const SHARE_POLL_MS = POLL_INTERVAL_MS;
/** While nothing is generating: new questions from the owner show within this. */
export const SHARE_IDLE_POLL_MS = 2000;

export interface SharedState {
  chat: SharedChatDto;
  messages: SharedMessageDto[];
}

export const shareKeys = {
  messages: (shareUuid: string) => ["share", shareUuid, "messages"] as const,
  tokens: (shareUuid: string, messageUuid: string) => ["share", shareUuid, "tokens", messageUuid] as const,
};

/** A message never goes back from a final status to pending; otherwise the server's copy wins. */
function pick(existing: SharedMessageDto | undefined, incoming: SharedMessageDto): SharedMessageDto {
  return existing && isFinal(existing.status) && !isFinal(incoming.status) ? existing : incoming;
}

function merge(current: SharedState | undefined, res: SharedState, whole: boolean): SharedState {
  const known = new Map((current?.messages ?? []).map((m) => [m.uuid, m]));
  if (whole) return { chat: res.chat, messages: res.messages.map((m) => pick(known.get(m.uuid), m)) };
  const messages = [...(current?.messages ?? [])];
  for (const m of res.messages) {
    const i = messages.findIndex((x) => x.uuid === m.uuid);
    if (i >= 0) messages[i] = pick(messages[i], m);
    else messages.push(m);
  }
  return { chat: res.chat, messages };
}

async function fetchShared(qc: QueryClient, shareUuid: string): Promise<SharedState> {
  const key = shareKeys.messages(shareUuid);
  const last = qc.getQueryData<SharedState>(key)?.messages.at(-1)?.uuid;
  if (last) {
    try {
      const res = await api<SharedState>(`/api/share/${shareUuid}/messages/${last}`);
      return merge(qc.getQueryData<SharedState>(key), res, false);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === "unknown_last_message")) throw err;
    }
  }
  return merge(qc.getQueryData<SharedState>(key), await api<SharedState>(`/api/share/${shareUuid}/messages`), true);
}

/** Something is being answered: poll fast. */
export function isGenerating(messages: SharedMessageDto[]): boolean {
  const last = messages.at(-1);
  return messages.some((m) => m.status === "pending") || (last?.role === "user" && last.status === "completed");
}

/** The shared chat, seeded by the server render; `gone` once the link answers 404. */
export function useSharedChat(shareUuid: string, initial: SharedState) {
  const qc = useQueryClient();
  const query = useQuery({
    queryKey: shareKeys.messages(shareUuid),
    queryFn: () => fetchShared(qc, shareUuid),
    initialData: initial,
    refetchInterval: (q) => {
      const error = q.state.error;
      if (error instanceof ApiError && error.status === 404) return false;
      return isGenerating(q.state.data?.messages ?? []) ? SHARE_POLL_MS : SHARE_IDLE_POLL_MS;
    },
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: "always",
    staleTime: 0,
    retry: false,
  });
  const gone = query.error instanceof ApiError && query.error.status === 404 && query.error.code === "not_found";
  return { state: query.data, gone };
}

/** One pending message's text, polled by position until its status is final. */
export function useSharedStream(shareUuid: string, message: SharedMessageDto): StreamState {
  const qc = useQueryClient();
  const live = message.status === "pending";
  const from = (): StreamState => ({ text: message.content, position: message.position, status: message.status, ...(message.error ? { error: message.error } : {}), ...partsOfMessage(message) });
  const { data } = useQuery({
    queryKey: shareKeys.tokens(shareUuid, message.uuid),
    queryFn: async (): Promise<StreamState> => {
      const listed = qc.getQueryData<SharedState>(shareKeys.messages(shareUuid))?.messages.find((m) => m.uuid === message.uuid) ?? message;
      const prev = withMessageParts(qc.getQueryData<StreamState>(shareKeys.tokens(shareUuid, message.uuid)) ?? from(), listed);
      const res = await api<TokensDto>(`/api/share/${shareUuid}/tokens/${message.uuid}/${prev.position}${partsQuery(prev)}`);
      const next: StreamState = foldPartsDelta(
        { text: res.append ? prev.text + res.tokens : res.tokens, position: res.position, status: res.status, ...(res.error ? { error: res.error } : {}), ...keepParts(prev) },
        res.parts,
      );
      if (isFinal(next.status)) {
        // The list is the source of truth for finished messages.
        const parts = next.parts ? { parts: next.parts, partsCursor: next.partsCursor } : {};
        qc.setQueryData<SharedState>(shareKeys.messages(shareUuid), (s) =>
          s ? { ...s, messages: s.messages.map((m) => (m.uuid === message.uuid ? { ...m, content: next.text, position: next.position, status: next.status, error: next.error, ...parts } : m)) } : s,
        );
      }
      return next;
    },
    initialData: from,
    initialDataUpdatedAt: 0,
    enabled: live,
    refetchInterval: (q) => (isFinal(q.state.data?.status) ? false : SHARE_POLL_MS),
    refetchIntervalInBackground: false,
    staleTime: 0,
    gcTime: 5_000,
    retry: false,
  });
  return live ? withMessageParts(data, message) : from();
}
