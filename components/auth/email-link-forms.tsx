"use client";

/** The forms behind mailed links: verifying an address, asking for a reset link, choosing a new password. */
import { useEffect, useRef, useState } from "react";
import Link from "next/link";
import { api, ApiError } from "@/client/api";

const message = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);

/**
 * Verifies on arrival with a POST (a GET would let a mail scanner that prefetches links do it,
 * which is harmless, but a POST keeps the link's effect to a real visit).
 */
export function VerifyEmail({ token }: { token: string }) {
  // "working", "done", or the sentence of what went wrong.
  const [state, setState] = useState<string>("working");
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    api("/api/verify-email", { method: "POST", json: { token } })
      .then(() => setState("done"))
      .catch((err: unknown) => setState(message(err, "Could not verify the address. Try again.")));
  }, [token]);
  if (state === "working") return <p role="status">Confirming your address…</p>;
  if (state === "done")
    return (
      <>
        <p role="status" data-testid="verify-result">
          Your email address is confirmed.
        </p>
        <Link className="btn btn-primary" href="/chat">
          Go to your chats
        </Link>
      </>
    );
  return (
    <p className="form-error" role="alert" data-testid="verify-result">
      {state}
    </p>
  );
}

export function ForgotPassword() {
  const [email, setEmail] = useState("");
  const [done, setDone] = useState<{ devLink?: string } | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  if (done)
    return (
      <p role="status">
        If an account uses {email}, a link to choose a new password is on its way (valid for one hour).
        {done.devLink && (
          <>
            {" "}
            <a href={done.devLink}>Development link: reset now</a>
          </>
        )}
      </p>
    );
  return (
    <form
      className="auth-form"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError("");
        api<{ devLink?: string }>("/api/password/forgot", { method: "POST", json: { email } })
          .then((r) => setDone(r))
          .catch((err: unknown) => setError(message(err, "Could not send the link. Try again.")))
          .finally(() => setBusy(false));
      }}
    >
      <label htmlFor="forgot-email">Email</label>
      <input id="forgot-email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button className="btn btn-primary" type="submit" disabled={busy}>
        Send me a link
      </button>
    </form>
  );
}

export function ResetPassword({ token }: { token: string }) {
  const [password, setPassword] = useState("");
  const [done, setDone] = useState(false);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  if (done)
    return (
      <>
        <p role="status">Your password is changed, and every device that was signed in is signed out.</p>
        <Link className="btn btn-primary" href="/signin">
          Sign in
        </Link>
      </>
    );
  return (
    <form
      className="auth-form"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError("");
        api("/api/password/reset", { method: "POST", json: { token, password } })
          .then(() => setDone(true))
          .catch((err: unknown) => setError(message(err, "Could not change the password. Try again.")))
          .finally(() => setBusy(false));
      }}
    >
      <label htmlFor="new-password">New password</label>
      <input id="new-password" type="password" autoComplete="new-password" minLength={8} required value={password} onChange={(e) => setPassword(e.target.value)} />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button className="btn btn-primary" type="submit" disabled={busy}>
        Set the new password
      </button>
    </form>
  );
}
