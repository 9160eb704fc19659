/**
 * One pending message's text, polled by position every 300 ms until its status is final
 * (docs/design.md §3.3), and its answer's parts, by cursor (§3.11). Its state lives in its own
 * query, so the position and cursor sent are always the ones the previous answer gave: React
 * Query never runs two fetches of one key at once, and each fetch starts from what the last one
 * left.
 */
import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api } from "./api";
import { patchMessage } from "./messages";
import { foldPartsDelta, keepParts, partsOfMessage, partsQuery, withMessageParts } from "./parts";
import { POLL_INTERVAL_MS } from "@/lib/contract";
import { isFinal, keys, type ChatState, type ClientMessage, type StreamState, type TokensDto } from "./keys";

/** The message as the list holds it now (a messages poll may have brought newer parts since the hook rendered). */
function listedMessage(qc: QueryClient, chatUuid: string, message: ClientMessage): ClientMessage {
  return qc.getQueryData<ChatState>(keys.messages(chatUuid))?.messages.find((m) => m.uuid === message.uuid) ?? message;
}

async function pollTokens(qc: QueryClient, chatUuid: string, message: ClientMessage): Promise<StreamState> {
  const key = keys.tokens(message.uuid);
  const listed = listedMessage(qc, chatUuid, message);
  const prev = withMessageParts(qc.getQueryData<StreamState>(key) ?? fromMessage(message), listed);
  const res = await api<TokensDto>(`/chat/message/${message.uuid}/tokens/${prev.position}${partsQuery(prev)}`);
  // Notes (a file the model was not given: §3.13) are written as the answer starts, maybe after
  // the messages poll that brought it: the token poll carries them.
  if (res.notes && res.notes.join("\n") !== (listed.notes ?? []).join("\n")) patchMessage(qc, chatUuid, message.uuid, { notes: res.notes });
  const next: StreamState = foldPartsDelta(
    {
      text: res.append ? prev.text + res.tokens : res.tokens,
      position: res.position,
      status: res.status,
      ...(res.error ? { error: res.error } : {}),
      ...keepParts(prev),
    },
    res.parts,
  );
  if (isFinal(next.status)) {
    // The list is the source of truth for finished messages.
    patchMessage(qc, chatUuid, message.uuid, {
      content: next.text,
      position: next.position,
      status: next.status,
      error: next.error,
      ...(next.parts ? { parts: next.parts, partsCursor: next.partsCursor } : {}),
    });
  }
  return next;
}

function fromMessage(m: ClientMessage): StreamState {
  return { text: m.content, position: m.position, status: m.status, ...(m.error ? { error: m.error } : {}), ...partsOfMessage(m) };
}

/** What to show of a message: its stream while pending, its stored content once final. */
export function useMessageStream(chatUuid: string, message: ClientMessage): StreamState {
  const qc = useQueryClient();
  const live = message.status === "pending" && !message.local;
  const { data } = useQuery({
    queryKey: keys.tokens(message.uuid),
    queryFn: () => pollTokens(qc, chatUuid, message),
    initialData: () => fromMessage(message),
    // Fetch at once: the initial data is only where to start from.
    initialDataUpdatedAt: 0,
    enabled: live,
    refetchInterval: (query) => (isFinal(query.state.data?.status) ? false : POLL_INTERVAL_MS),
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: "always",
    refetchOnReconnect: "always",
    staleTime: 0,
    gcTime: 5_000,
    retry: false,
  });
  return live ? withMessageParts(data, message) : fromMessage(message);
}
