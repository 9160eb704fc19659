import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { pageUser } from "@/lib/auth/session";
import { inviteInfo } from "@/lib/chat/members";
import { AppError } from "@/lib/errors";
import { StatusPage } from "@/components/status-page";
import { JoinButton } from "@/components/invite/join-button";

export const metadata: Metadata = { title: "Join a chat", referrer: "no-referrer" };

type Params = { params: Promise<{ token: string }> };

/** An invite link: who invites you to which chat, as what, and a button to join (signed in first). */
export default async function InvitePage({ params }: Params) {
  const { token } = await params;
  const user = await pageUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`);
  let info: Awaited<ReturnType<typeof inviteInfo>> | undefined;
  try {
    info = await inviteInfo({ userId: user.id, token });
  } catch (err) {
    if (!(err instanceof AppError && err.status === 404)) throw err;
  }
  if (!info) {
    return (
      <StatusPage title="This invite link does not work" lead="It may have expired or been revoked. Ask whoever sent it for a new one.">
        <div className="status-actions">
          <Link className="btn btn-primary" href="/chat">
            Go to your chats
          </Link>
        </div>
      </StatusPage>
    );
  }
  const title = info.chatTitle.trim() || "a chat";
  const as = info.role === "viewer" ? "read it" : "read and write in it";
  if (info.memberRole && (info.memberRole !== "viewer" || info.role === "viewer")) {
    return (
      <StatusPage title={`You are in “${title}” already`} lead={`${info.invitedBy} invited you to ${as}.`}>
        <div className="status-actions">
          <Link className="btn btn-primary" href={`/chat/${info.chatUuid}`}>
            Open the chat
          </Link>
        </div>
      </StatusPage>
    );
  }
  return (
    <StatusPage title={`Join “${title}”`} lead={`${info.invitedBy} invited you to ${as}, with the assistant and everyone in it.`}>
      <div className="status-actions">
        <JoinButton token={token} />
      </div>
    </StatusPage>
  );
}
