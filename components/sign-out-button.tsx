"use client";

import { useState } from "react";
import { signOut } from "next-auth/react";

export function SignOutButton() {
  return (
    <button className="btn" type="button" onClick={() => void signOut({ redirectTo: "/signin" })}>
      Sign out
    </button>
  );
}

/**
 * Ends every session of the account (other devices included), then this one. When the server
 * did not end them, it says so and stays: signing out here alone would look like success while
 * the other devices stay signed in.
 */
export function SignOutEverywhereButton() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function signOutEverywhere() {
    setBusy(true);
    setError(null);
    const res = await fetch("/api/account/sessions", { method: "DELETE" }).catch(() => null);
    if (res?.ok) {
      await signOut({ redirectTo: "/signin" });
      return;
    }
    const body = (await res?.json().catch(() => null)) as { error?: { message?: unknown } } | null;
    const reason = typeof body?.error?.message === "string" ? ` ${body.error.message}` : " The server could not be reached.";
    setError(`Your other devices are still signed in.${reason} Try again.`);
    setBusy(false);
  }

  return (
    <>
      <button className="btn" type="button" disabled={busy} onClick={() => void signOutEverywhere()}>
        Sign out everywhere
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
