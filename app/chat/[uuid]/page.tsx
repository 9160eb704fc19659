import type { Metadata } from "next";
import { cache } from "react";
import { notFound, redirect } from "next/navigation";
import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import { pageUser } from "@/lib/auth/session";
import { getMessages } from "@/lib/chat/polls";
import { AppError } from "@/lib/errors";
import { isUuid } from "@/lib/ids";
import { keys, type ChatState } from "@/client/keys";
import { ChatView } from "@/components/chat/chat-view";

type Params = { params: Promise<{ uuid: string }> };

/** The chat with its messages so far, or null when it is not this user's (or does not exist). */
const loadChat = cache(async (raw: string): Promise<{ userId: string; state: ChatState | null } | null> => {
  const userId = (await pageUser())?.id;
  if (!userId) return null;
  if (!isUuid(raw)) return { userId, state: null };
  try {
    return { userId, state: await getMessages({ userId, chatUuid: raw.toLowerCase() }) };
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return { userId, state: null };
    throw err;
  }
});

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const loaded = await loadChat((await params).uuid);
  return { title: loaded?.state?.chat.title.trim() || "Chat" };
}

/** A chat, server rendered with its messages; the client hydrates React Query with them and polls on. */
export default async function ChatPage({ params }: Params) {
  const { uuid } = await params;
  const loaded = await loadChat(uuid);
  if (!loaded) redirect(`/signin?callbackUrl=${encodeURIComponent(`/chat/${uuid}`)}`);
  if (!loaded.state) notFound();
  const chatUuid = loaded.state.chat.uuid;
  const qc = new QueryClient();
  qc.setQueryData(keys.messages(chatUuid), loaded.state);
  return (
    <HydrationBoundary state={dehydrate(qc)}>
      <ChatView key={chatUuid} chatUuid={chatUuid} />
    </HydrationBoundary>
  );
}
