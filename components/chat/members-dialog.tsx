"use client";

/**
 * "People in this chat": everyone sees who is in it (and who is here now); the owner invites
 * by email or by link, changes roles and removes people; anyone else can leave.
 */
import { useEffect, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";
import { ApiError } from "@/client/api";
import { changeRole, createInvite, inviteByEmail, removeMember, revokeInvite, useMembers, type InvitableRole } from "@/client/members";
import type { ChatInstructionsDto, InviteDto, MemberDto, PendingInvitationDto } from "@/client/keys";
import { Avatar } from "./avatar";
import { CopyButton } from "./copy-button";
import { IconClose, IconLeave, IconLink } from "./icons";

const ROLE_LABEL = { owner: "Owner", editor: "Editor", viewer: "Viewer" } as const;
const EXPIRY_CHOICES = [
  { hours: 24, label: "1 day" },
  { hours: 7 * 24, label: "7 days" },
  { hours: 30 * 24, label: "30 days" },
];

const message = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);

export function MembersDialog({ chatUuid, me, onClose }: { chatUuid: string; me: string; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const { data, error } = useMembers(chatUuid, true);
  const owner = data?.role === "owner";

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);

  return (
    <dialog
      ref={ref}
      className="dialog members-dialog"
      aria-labelledby="members-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      <div className="members-head">
        <h2 id="members-title">People in this chat</h2>
        <button type="button" className="icon-btn" aria-label="Close" onClick={onClose}>
          <IconClose size={16} />
        </button>
      </div>
      {error && !data && <p className="form-error" role="alert">{message(error, "Could not load the members.")}</p>}
      {!data && !error && <p className="muted">Loading…</p>}
      {data && (
        <>
          <ul className="member-list" aria-label="Members">
            {data.members.map((m) => (
              <MemberRow key={m.userId} chatUuid={chatUuid} member={m} me={me} owner={owner} onLeft={onClose} />
            ))}
          </ul>
          {owner && (data.pending ?? []).length > 0 && <PendingInvitations chatUuid={chatUuid} pending={data.pending ?? []} />}
          {owner && <InviteByEmail chatUuid={chatUuid} />}
          {owner && <InviteLinks chatUuid={chatUuid} invites={data.invites ?? []} />}
          {!owner && <p className="muted small">Only the owner can invite people or change roles.</p>}
          <Instructions instructions={data.instructions} />
        </>
      )}
    </dialog>
  );
}

function MemberRow({ chatUuid, member, me, owner, onLeft }: { chatUuid: string; member: MemberDto; me: string; owner: boolean; onLeft: () => void }) {
  const qc = useQueryClient();
  const router = useRouter();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const self = member.userId === me;

  const act = async (run: () => Promise<void>, fallback: string) => {
    setBusy(true);
    setError("");
    try {
      await run();
    } catch (err) {
      setError(message(err, fallback));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="member" data-testid="member" data-user-id={member.userId}>
      <Avatar id={member.userId} name={member.name} size={32} />
      <div className="member-who">
        <span className="member-name">
          {member.name}
          {self && <span className="muted"> (you)</span>}
          {member.present && !self && <span className="present-dot" title="Here now" aria-label="here now" />}
        </span>
        {member.email && <span className="member-email">{member.email}</span>}
      </div>
      <div className="member-role">
        {owner && member.role !== "owner" ? (
          <>
            <label className="sr-only" htmlFor={`role-${member.userId}`}>
              Role of {member.name}
            </label>
            <select
              id={`role-${member.userId}`}
              value={member.role}
              disabled={busy}
              onChange={(e) => void act(() => changeRole(qc, chatUuid, member.userId, e.target.value as InvitableRole), "Could not change the role.")}
            >
              <option value="editor">Editor</option>
              <option value="viewer">Viewer</option>
            </select>
            <button
              type="button"
              className="btn btn-small btn-ghost"
              disabled={busy}
              aria-label={`Remove ${member.name}`}
              onClick={() => void act(() => removeMember(qc, chatUuid, member.userId), "Could not remove them.")}
            >
              Remove
            </button>
          </>
        ) : (
          <span className="role-badge">{ROLE_LABEL[member.role]}</span>
        )}
        {self && member.role !== "owner" && (
          <button
            type="button"
            className="btn btn-small"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                await removeMember(qc, chatUuid, me);
                onLeft();
                router.replace("/chat");
              }, "Could not leave the chat.")
            }
          >
            <IconLeave size={14} /> Leave
          </button>
        )}
      </div>
      {error && (
        <p className="form-error member-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

function InviteByEmail({ chatUuid }: { chatUuid: string }) {
  const qc = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<InvitableRole>("editor");
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="invite-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!email.trim()) return;
        setBusy(true);
        setStatus(null);
        inviteByEmail(qc, chatUuid, email.trim(), role)
          .then(({ member: m, invitation }) => {
            if (m) setStatus({ ok: true, text: `${m.name} is a member already and can ${m.role === "viewer" ? "read" : "write in"} this chat.` });
            else if (invitation) setStatus({ ok: true, text: `Invitation sent to ${invitation.name}. They join once they accept it.` });
            setEmail("");
          })
          .catch((err: unknown) => setStatus({ ok: false, text: message(err, "Could not invite them.") }))
          .finally(() => setBusy(false));
      }}
    >
      <h3>Invite by email</h3>
      <div className="invite-row">
        <label className="sr-only" htmlFor="invite-email">
          Email of the person to invite
        </label>
        <input id="invite-email" type="email" placeholder="name@example.com" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="off" />
        <label className="sr-only" htmlFor="invite-role">
          Their role
        </label>
        <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as InvitableRole)}>
          <option value="editor">Editor</option>
          <option value="viewer">Viewer</option>
        </select>
        <button type="submit" className="btn btn-small btn-primary" disabled={busy || !email.trim()}>
          Invite
        </button>
      </div>
      {status && (
        <p className={status.ok ? "form-ok" : "form-error"} role={status.ok ? "status" : "alert"}>
          {status.text}
        </p>
      )}
      <p className="muted small">Editors can send messages and stop answers; viewers can only read.</p>
    </form>
  );
}

function InviteLinks({ chatUuid, invites }: { chatUuid: string; invites: InviteDto[] }) {
  const qc = useQueryClient();
  const [role, setRole] = useState<InvitableRole>("editor");
  const [hours, setHours] = useState(7 * 24);
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

  return (
    <section className="invite-links" aria-labelledby="invite-links-title">
      <h3 id="invite-links-title">Invite link</h3>
      <div className="invite-row">
        <label className="sr-only" htmlFor="link-role">
          Role for people joining by the link
        </label>
        <select id="link-role" value={role} onChange={(e) => setRole(e.target.value as InvitableRole)}>
          <option value="editor">Editor</option>
          <option value="viewer">Viewer</option>
        </select>
        <label className="sr-only" htmlFor="link-expiry">
          The link expires after
        </label>
        <select id="link-expiry" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
          {EXPIRY_CHOICES.map((c) => (
            <option key={c.hours} value={c.hours}>
              Expires in {c.label}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="btn btn-small"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            setError("");
            createInvite(qc, chatUuid, role, hours)
              .then((i) => setCreated(`${window.location.origin}${i.path}`))
              .catch((err: unknown) => setError(message(err, "Could not create the link.")))
              .finally(() => setBusy(false));
          }}
        >
          <IconLink size={14} /> Create link
        </button>
      </div>
      {created && (
        <div className="invite-created">
          <label htmlFor="invite-url">New link (shown once: copy it now)</label>
          <div className="invite-row">
            <input id="invite-url" readOnly value={created} onFocus={(e) => e.currentTarget.select()} />
            <CopyButton label="Copy invite link" getText={() => created} className="btn btn-small" showLabel />
          </div>
        </div>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {invites.length > 0 && (
        <ul className="invite-list" aria-label="Open invite links">
          {invites.map((i) => (
            <li key={i.uuid}>
              <span>
                {ROLE_LABEL[i.role]} link, expires {when(i.expiresAt)}, used {i.uses === 1 ? "once" : `${i.uses} times`}
              </span>
              <button type="button" className="btn btn-small btn-ghost" onClick={() => void revokeInvite(qc, chatUuid, i.uuid).catch((err: unknown) => setError(message(err, "Could not revoke it.")))}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Invitations by email that wait for an answer; the owner may withdraw one. */
function PendingInvitations({ chatUuid, pending }: { chatUuid: string; pending: PendingInvitationDto[] }) {
  const qc = useQueryClient();
  const [error, setError] = useState("");
  return (
    <section aria-labelledby="pending-title">
      <h3 id="pending-title">Waiting for an answer</h3>
      <ul className="invite-list" aria-label="Pending invitations">
        {pending.map((p) => (
          <li key={p.uuid}>
            <span>
              {p.name} ({p.email}), as {ROLE_LABEL[p.role].toLowerCase()}
            </span>
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => void removeMember(qc, chatUuid, p.userId).catch((err: unknown) => setError(message(err, "Could not withdraw it.")))}
            >
              Withdraw
            </button>
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

/** What steers the answers: every member sees it (an imported chat may carry any prompt). */
function Instructions({ instructions }: { instructions: ChatInstructionsDto }) {
  return (
    <section className="chat-instructions" aria-labelledby="instructions-title">
      <h3 id="instructions-title">Instructions the assistant follows</h3>
      <p className="muted small">
        Agent: {instructions.agent}
        {instructions.custom ? " · custom instructions (not the agent's own)" : ""}
      </p>
      {instructions.systemPrompt ? (
        <pre className="instructions-text" tabIndex={0} aria-label="System prompt">
          {instructions.systemPrompt}
        </pre>
      ) : (
        <p className="muted small">None.</p>
      )}
    </section>
  );
}
