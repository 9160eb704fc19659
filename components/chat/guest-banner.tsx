/** Above the chat while signed in as a guest: what that means, and the way to keep everything. */
import Link from "next/link";

export function GuestBanner() {
  return (
    <div className="guest-banner" role="note" aria-label="Guest session">
      <span>
        You are trying PollChat as a guest, with lower limits. <strong>Create an account to keep your chats</strong>: everything stays.
      </span>
      <Link className="btn btn-primary" href="/signup?callbackUrl=/chat">
        Create account
      </Link>
    </div>
  );
}
