import { redirect } from "next/navigation";
import { pageUser } from "@/lib/auth/session";
import { AGENTS } from "@/lib/models/agents";
import { NewChat } from "@/components/chat/new-chat";

export const metadata = { title: "New chat" };

/** A new chat: agent cards, then the composer; the first send creates the chat. */
export default async function NewChatPage() {
  const user = await pageUser();
  if (!user) redirect("/signin?callbackUrl=/chat");
  const agents = AGENTS.map(({ id, name, description, greeting }) => ({ id, name, description, ...(greeting ? { greeting } : {}) }));
  return <NewChat key="new" agents={agents} userName={user.name ?? null} />;
}
