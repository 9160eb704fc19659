"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { ApiError } from "@/client/api";
import { acceptInvite } from "@/client/members";

/** Joins by an invite link, then opens the chat. */
export function JoinButton({ token }: { token: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  return (
    <>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button
        type="button"
        className="btn btn-primary"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          setError("");
          acceptInvite(token)
            .then(({ chatUuid }) => router.push(`/chat/${chatUuid}`))
            .catch((err: unknown) => {
              setError(err instanceof ApiError ? err.message : "Could not join the chat. Try again.");
              setBusy(false);
            });
        }}
      >
        {busy ? "Joining…" : "Join the chat"}
      </button>
    </>
  );
}
