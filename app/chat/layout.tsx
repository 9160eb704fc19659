import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import { pageUser } from "@/lib/auth/session";
import { listChats } from "@/lib/chat/chats";
import { defaultModelId, listModels } from "@/lib/models/registry";
import { CHAT_PAGE_SIZE, keys, type ChatListPage, type ModelsState } from "@/client/keys";
import { Providers } from "@/components/chat/providers";
import { AppShell } from "@/components/chat/shell";
import "./chat.css";
import "./people.css";
import "./files.css";

export const metadata: Metadata = { title: "Chats" };

/** The signed-in app: sidebar with the user's chats (server rendered, then polled) and the chat area. */
export default async function ChatLayout({ children }: { children: React.ReactNode }) {
  const user = await pageUser();
  if (!user) redirect("/signin?callbackUrl=/chat");

  const qc = new QueryClient();
  const list: ChatListPage = await listChats({ userId: user.id, limit: CHAT_PAGE_SIZE });
  qc.setQueryData(keys.chats(""), { pages: [list], pageParams: [null] });
  const models: ModelsState = {
    models: listModels().map(({ id, label, provider, demo }) => ({ id, label, provider, demo })),
    default: defaultModelId(),
  };
  qc.setQueryData(keys.models, models);

  return (
    <Providers>
      <HydrationBoundary state={dehydrate(qc)}>
        <AppShell user={{ id: user.id, email: user.email ?? "", name: user.name ?? null, role: user.role, guest: user.guest, emailVerified: user.emailVerified }}>{children}</AppShell>
      </HydrationBoundary>
    </Providers>
  );
}
