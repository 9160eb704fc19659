"use client";

/**
 * Invitations by email waiting for my answer, at the top of the sidebar: nobody is added to a
 * chat without accepting. Accepting opens the chat; declining removes the invitation.
 */
import { useState } from "react";
import { useRouter } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";
import { ApiError } from "@/client/api";
import { answerInvitation, useInvitations } from "@/client/members";

export function InvitationsBox() {
  const { data } = useInvitations();
  const qc = useQueryClient();
  const router = useRouter();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState<string | null>(null);
  const list = data?.invitations ?? [];
  if (list.length === 0) return null;
  const answer = (uuid: string, accept: boolean) => {
    setBusy(uuid);
    setError("");
    answerInvitation(qc, uuid, accept)
      .then((r) => {
        if (accept && r.chatUuid) router.push(`/chat/${r.chatUuid}`);
      })
      .catch((err: unknown) => setError(err instanceof ApiError ? err.message : "Could not answer the invitation."))
      .finally(() => setBusy(null));
  };
  return (
    <section className="invitations" aria-labelledby="invitations-title">
      <h2 id="invitations-title">Invitations</h2>
      <ul>
        {list.map((i) => (
          <li key={i.uuid} className="invitation">
            <p>
              <strong>{i.invitedBy.name}</strong> invites you to <strong>{i.chat.title || "a chat"}</strong> as {i.role === "viewer" ? "a viewer" : "an editor"}.
            </p>
            <div className="invitation-actions">
              <button type="button" className="btn btn-small btn-primary" disabled={busy === i.uuid} onClick={() => answer(i.uuid, true)}>
                Accept
              </button>
              <button type="button" className="btn btn-small btn-ghost" disabled={busy === i.uuid} onClick={() => answer(i.uuid, false)}>
                Decline
              </button>
            </div>
          </li>
        ))}
      </ul>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
