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

/**
 * An invite link: who invites you to which chat, as what, and a button to join. Signed out:
 * the same words, with sign-up first (an invite usually goes to someone new) and sign-in.
 */
export default async function InvitePage({ params }: Params) {
  const { token } = await params;
  const user = await pageUser();
  let info: Awaited<ReturnType<typeof inviteInfo>> | undefined;
  try {
    info = await inviteInfo({ userId: user?.id ?? null, token });
  } catch (err) {
    if (!(err instanceof AppError && err.status === 404)) throw err;
  }
  if (!user) {
    // Signed out: say who invites them where, and let a new address sign up first.
    const back = encodeURIComponent(`/invite/${token}`);
    if (!info) redirect(`/signin?callbackUrl=${back}`);
    const title = info.chatTitle.trim() || "a chat";
    return (
      <StatusPage
        title={`${info.invitedBy} invited you to “${title}”`}
        lead={`Create a free account to ${info.role === "viewer" ? "read it" : "read and write in it"}, with the assistant and everyone in it. Already have one? Sign in, and you join right after.`}
      >
        <div className="status-actions">
          <Link className="btn btn-primary" href={`/signup?callbackUrl=${back}`}>
            Create an account
          </Link>
          <Link className="btn" href={`/signin?callbackUrl=${back}`}>
            Sign in
          </Link>
        </div>
      </StatusPage>
    );
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
