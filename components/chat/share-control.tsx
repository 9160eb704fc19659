"use client";

/**
 * The owner's Share control on a chat: a public read-only link to copy, or none. Making the
 * chat private turns the link off at once; sharing again makes a new one.
 */
import { useEffect, useRef, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ApiError } from "@/client/api";
import { copyText } from "./copy-button";
import { IconCheck, IconCopy, IconGlobe, IconShare } from "./icons";

interface ShareState {
  shared: boolean;
  shareUuid: string | null;
  path: string | null;
}

const shareKey = (chatUuid: string) => ["chat", chatUuid, "share"] as const;

export function ShareControl({ chatUuid }: { chatUuid: string }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [copied, setCopied] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const { data } = useQuery({
    queryKey: shareKey(chatUuid),
    queryFn: async () => (await api<{ share: ShareState }>(`/api/chats/${chatUuid}/share`)).share,
    staleTime: 30_000,
    refetchInterval: false,
  });

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 1600);
    return () => clearTimeout(t);
  }, [copied]);

  const url = data?.path && typeof window !== "undefined" ? `${window.location.origin}${data.path}` : "";

  async function change(method: "POST" | "DELETE") {
    setBusy(true);
    setError("");
    try {
      const { share } = await api<{ share: ShareState }>(`/api/chats/${chatUuid}/share`, { method });
      qc.setQueryData(shareKey(chatUuid), share);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "That did not work. Try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button type="button" className={`btn btn-small share-btn${data?.shared ? " is-shared" : ""}`} onClick={() => setOpen(true)} aria-haspopup="dialog">
        {data?.shared ? <IconGlobe size={15} /> : <IconShare size={15} />}
        <span>{data?.shared ? "Shared" : "Share"}</span>
      </button>
      <dialog
        ref={dialog}
        className="dialog share-dialog"
        aria-labelledby={`share-title-${chatUuid}`}
        onCancel={(e) => {
          e.preventDefault();
          setOpen(false);
        }}
        onClick={(e) => {
          if (e.target === dialog.current) setOpen(false);
        }}
      >
        <h2 id={`share-title-${chatUuid}`}>Share this chat</h2>
        <div className="dialog-body">
          {data?.shared ? (
            <>
              <p>Anyone with this link can read the chat, without signing in, and watch new answers arrive. They cannot write in it, and it does not show who you are.</p>
              <div className="share-link">
                <label htmlFor={`share-url-${chatUuid}`} className="sr-only">
                  Public link
                </label>
                <input id={`share-url-${chatUuid}`} readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
                <button type="button" className="btn btn-small btn-primary" onClick={() => void copyText(url).then(setCopied)}>
                  {copied ? <IconCheck size={15} /> : <IconCopy size={15} />}
                  {copied ? "Copied" : "Copy link"}
                </button>
              </div>
              <p className="share-note">Making it private turns this link off at once. Sharing it again later makes a new link.</p>
            </>
          ) : (
            <p>Make a public, read-only link to this chat. Anyone with it can read the conversation without signing in; nobody else can find it.</p>
          )}
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
        </div>
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => setOpen(false)}>
            Close
          </button>
          {data?.shared ? (
            <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void change("DELETE")}>
              Make private
            </button>
          ) : (
            <button type="button" className="btn btn-primary" disabled={busy || !data} onClick={() => void change("POST")}>
              Create public link
            </button>
          )}
        </div>
      </dialog>
    </>
  );
}
