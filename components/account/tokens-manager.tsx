"use client";

/** Create (shown once), list and revoke personal API tokens. */
import { useState, useSyncExternalStore } from "react";
import { api, ApiError } from "@/client/api";
import { ConfirmDialog } from "@/components/chat/confirm-dialog";
import { CopyButton } from "@/components/chat/copy-button";
import type { ApiTokenDto } from "@/lib/contract";

const noSubscription = () => () => {};

function when(iso: string | null): string {
  if (!iso) return "never";
  return new Date(iso).toLocaleString("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function TokensManager({ initial }: { initial: ApiTokenDto[] }) {
  const [tokens, setTokens] = useState(initial);
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [fresh, setFresh] = useState<{ token: string; name: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiTokenDto | null>(null);

  async function create(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const res = await api<{ token: string; apiToken: ApiTokenDto }>("/api/tokens", { method: "POST", json: { name } });
      setTokens((t) => [res.apiToken, ...t]);
      setFresh({ token: res.token, name: res.apiToken.name });
      setName("");
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not create the token. Try again.");
    } finally {
      setBusy(false);
    }
  }

  async function revoke(token: ApiTokenDto) {
    setBusy(true);
    try {
      await api(`/api/tokens/${token.uuid}`, { method: "DELETE" });
      setTokens((t) => t.filter((x) => x.uuid !== token.uuid));
      setRevoking(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not revoke the token. Try again.");
      setRevoking(null);
    } finally {
      setBusy(false);
    }
  }

  const origin = useSyncExternalStore(noSubscription, () => window.location.origin, () => "https://pollchat.example");
  return (
    <>
      <section className="card" aria-labelledby="new-token">
        <h2 id="new-token">New token</h2>
        <p>Name it after what will use it, so you know which one to revoke later.</p>
        <form className="inline-form" onSubmit={(e) => void create(e)}>
          <div className="field">
            <label htmlFor="token-name">Token name</label>
            <input id="token-name" value={name} maxLength={100} required placeholder="e.g. Backup script" onChange={(e) => setName(e.target.value)} />
          </div>
          <button type="submit" className="btn btn-primary" disabled={busy || !name.trim()}>
            Create token
          </button>
        </form>
        {error && (
          <p className="form-error" role="alert" style={{ marginTop: 14 }}>
            {error}
          </p>
        )}
      </section>

      {fresh && (
        <section className="card token-new" aria-labelledby="fresh-token" data-testid="new-token">
          <h2 id="fresh-token">Your new token “{fresh.name}”</h2>
          <p>Copy it now: it is shown only this once. Anyone who has it can use PollChat as you, so keep it as secret as a password.</p>
          <div className="token-value">
            <label htmlFor="token-value" className="sr-only">
              The new token
            </label>
            <input id="token-value" readOnly value={fresh.token} onFocus={(e) => e.currentTarget.select()} />
            <CopyButton className="btn btn-small" label="Copy token" showLabel getText={() => fresh.token} />
          </div>
          <button type="button" className="btn btn-small" onClick={() => setFresh(null)}>
            Done
          </button>
        </section>
      )}

      <section className="card" aria-labelledby="your-tokens">
        <h2 id="your-tokens">Your tokens</h2>
        {tokens.length === 0 ? (
          <p className="empty-note">No tokens yet.</p>
        ) : (
          <ul className="token-list">
            {tokens.map((t) => (
              <li key={t.uuid} data-testid="token-row">
                <div className="token-info">
                  <span className="token-name">{t.name}</span>
                  <span className="token-meta">
                    <code>{t.prefix}…</code> · created {when(t.createdAt)} · last used {when(t.lastUsedAt)}
                  </span>
                </div>
                <button type="button" className="btn btn-small" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby="token-use">
        <h2 id="token-use">Using a token</h2>
        <p>Every API endpoint takes it instead of the session cookie. The API is described at /api/openapi.json.</p>
        <pre className="example" tabIndex={0} aria-label="Example">{`curl -H "Authorization: Bearer pc_…" ${origin}/chat/list`}</pre>
      </section>

      {revoking && (
        <ConfirmDialog
          open
          title="Revoke token?"
          body={
            <p>
              Whatever uses <strong>{revoking.name}</strong> stops working at once. This cannot be undone.
            </p>
          }
          confirmLabel="Revoke"
          danger
          busy={busy}
          onConfirm={() => void revoke(revoking)}
          onCancel={() => setRevoking(null)}
        />
      )}
    </>
  );
}
