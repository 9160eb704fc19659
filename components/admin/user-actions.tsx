"use client";

/**
 * One user's actions in the admin table: disable or enable (with a confirmation, since it ends
 * their sessions, tokens and answers at once), and their quota overrides (blank: the default).
 * Each change is a PATCH /api/admin/users/{id}; the page is then rendered again from the server.
 */
import { useState } from "react";
import { useRouter } from "next/navigation";
import { api, ApiError } from "@/client/api";
import { ConfirmDialog } from "@/components/chat/confirm-dialog";
import type { AdminUserDto } from "@/lib/contract";

const FIELDS = [
  { name: "messagesPerHour", label: "Messages per hour" },
  { name: "tokensPerDay", label: "Tokens per day" },
  { name: "concurrent", label: "Answers at once" },
  { name: "storageBytes", label: "File storage (bytes)" },
] as const;

type QuotaName = (typeof FIELDS)[number]["name"];

export function UserActions({ user, self }: { user: AdminUserDto; self: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [editing, setEditing] = useState(false);
  const who = user.email ?? user.name ?? "this guest";

  async function patch(body: unknown): Promise<boolean> {
    setBusy(true);
    setError("");
    try {
      await api(`/api/admin/users/${user.id}`, { method: "PATCH", json: body });
      router.refresh();
      return true;
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "The change could not be saved. Try again.");
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function saveQuota(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const quota: Partial<Record<QuotaName, number | null>> = {};
    for (const f of FIELDS) {
      const value = form.get(f.name);
      const raw = typeof value === "string" ? value.trim() : "";
      if (raw === "") quota[f.name] = null;
      else if (/^\d+$/.test(raw)) quota[f.name] = Number(raw);
      else {
        setError(`${f.label}: enter a whole number of 0 or more, or leave it blank for the default.`);
        return;
      }
    }
    if (await patch({ quota })) setEditing(false);
  }

  return (
    <div className="row-actions">
      {user.disabled ? (
        <button type="button" className="btn" disabled={busy} onClick={() => void patch({ disabled: false })} aria-label={`Enable ${who}`}>
          Enable
        </button>
      ) : (
        <button
          type="button"
          className="btn btn-danger-outline"
          disabled={busy || self}
          title={self ? "You cannot disable your own account." : undefined}
          onClick={() => setConfirming(true)}
          aria-label={`Disable ${who}`}
        >
          Disable
        </button>
      )}
      <button type="button" className="btn" aria-expanded={editing} onClick={() => setEditing((v) => !v)} aria-label={`Limits of ${who}`}>
        Limits…
      </button>
      {editing && (
        <form className="quota-form" onSubmit={(e) => void saveQuota(e)} aria-label={`Limits of ${who}`}>
          {FIELDS.map((f) => (
            <label key={f.name}>
              {f.label}
              <input
                name={f.name}
                inputMode="numeric"
                pattern="[0-9]*"
                defaultValue={user.quota[f.name] ?? ""}
                placeholder={user.quota[f.name] === undefined ? `default: ${user.limits[f.name] === 0 ? "no limit" : user.limits[f.name]}` : "default"}
              />
            </label>
          ))}
          <span className="hint">Blank: the server&apos;s default. 0: no limit.</span>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Save limits
          </button>
        </form>
      )}
      {error && (
        <span className="row-error" role="alert">
          {error}
        </span>
      )}
      {/* Mounted only while asked: every row's dialog would otherwise share the dialog's title id. */}
      {confirming && (
        <ConfirmDialog
          open
          title={`Disable ${who}?`}
          body="Their sessions and API tokens stop working at once, and their answers in progress are stopped. You can enable the account again later."
          confirmLabel="Disable"
          danger
          busy={busy}
          onConfirm={() => void patch({ disabled: true }).then(() => setConfirming(false))}
          onCancel={() => setConfirming(false)}
        />
      )}
    </div>
  );
}
