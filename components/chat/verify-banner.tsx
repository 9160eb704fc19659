"use client";

/** Above the chats while the account's address is not verified: follow the mailed link, or have it sent again. */
import { useState } from "react";
import { api, ApiError } from "@/client/api";

export function VerifyBanner({ email }: { email: string }) {
  const [state, setState] = useState<{ text: string; link?: string } | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section className="guest-banner verify-banner" aria-label="Confirm your email address">
      <span>
        Confirm <strong>{email}</strong>: open the link we mailed you. Until then, people cannot invite you by email.
        {state && (
          <span role="status" className="verify-status">
            {" "}
            {state.text}
            {state.link && (
              <>
                {" "}
                <a href={state.link}>Development link: verify now</a>
              </>
            )}
          </span>
        )}
      </span>
      <button
        type="button"
        className="btn"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          api<{ sent: boolean; devLink?: string }>("/api/account/verify-email", { method: "POST" })
            .then((r) => setState({ text: "Sent. Check your mailbox.", link: r.devLink }))
            .catch((err: unknown) => setState({ text: err instanceof ApiError ? err.message : "Could not send it. Try again." }))
            .finally(() => setBusy(false));
        }}
      >
        Send the link again
      </button>
    </section>
  );
}
