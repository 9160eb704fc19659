"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { safeCallback } from "@/lib/callback-url";

interface Props {
  mode: "signin" | "signup";
  oauth: { id: string; name: string }[];
  callbackUrl: string;
  initialError?: string;
  /** Offer "Try without an account" (ALLOW_GUESTS). */
  guests?: boolean;
}

const ERRORS: Record<string, string> = {
  invalid_login: "That email and password do not match an account.",
  CredentialsSignin: "That email and password do not match an account.",
  rate_limited: "Too many failed sign-ins for this account or network. Wait a few minutes, then try again.",
  OAuthAccountNotLinked: "This email is already used with another sign-in method.",
};

/** Sign-in and sign-up, through Auth.js's standard credentials flow (csrf, then callback). */
export function AuthForm({ mode, oauth, callbackUrl, initialError, guests = false }: Props) {
  const router = useRouter();
  const [error, setError] = useState(initialError ? (ERRORS[initialError] ?? "Sign-in failed. Try again.") : "");
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const field = (name: string) => {
      const v = form.get(name);
      return typeof v === "string" ? v : "";
    };
    const email = field("email");
    const password = field("password");
    setBusy(true);
    setError("");
    try {
      if (mode === "signup") {
        const res = await fetch("/api/register", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email, password, name: field("name") }),
        });
        if (!res.ok) {
          const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
          setError(body?.error?.message ?? "Could not create the account. Try again.");
          return;
        }
      }
      const result = await signIn("credentials", { email, password, redirect: false });
      if (!result || result.error) {
        setError(ERRORS[result?.code ?? ""] ?? ERRORS.CredentialsSignin!);
        return;
      }
      router.replace(safeCallback(callbackUrl));
      router.refresh();
    } catch {
      setError("The network is not answering. Check your connection and try again.");
    } finally {
      setBusy(false);
    }
  }

  async function tryAsGuest() {
    setBusy(true);
    setError("");
    try {
      const result = await signIn("guest", { redirect: false });
      if (!result || result.error) {
        setError(
          result?.code === "rate_limited"
            ? "Too many accounts and guests were started from your network. Try again later, or create an account."
            : "Could not start a guest session. Try again.",
        );
        return;
      }
      router.replace(callbackUrl === "/" ? "/chat" : safeCallback(callbackUrl));
      router.refresh();
    } catch {
      setError("The network is not answering. Check your connection and try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
      {/* method="post": a submit before the page has hydrated must not put the password in the URL. */}
      <form method="post" onSubmit={(e) => void onSubmit(e)}>
        {mode === "signup" && (
          <div className="field">
            <label htmlFor="name">Name</label>
            <input id="name" name="name" autoComplete="name" maxLength={100} placeholder="Ada Lovelace" />
          </div>
        )}
        <div className="field">
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="email" required placeholder="you@example.com" />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            required
            minLength={mode === "signup" ? 8 : undefined}
            autoComplete={mode === "signup" ? "new-password" : "current-password"}
          />
          {mode === "signup" && <span className="hint">At least 8 characters.</span>}
        </div>
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {busy ? "Please wait…" : mode === "signup" ? "Create account" : "Sign in"}
        </button>
      </form>
      {(oauth.length > 0 || guests) && (
        <>
          <div className="divider">or</div>
          <div className="oauth">
            {guests && (
              <button className="btn" type="button" disabled={busy} onClick={() => void tryAsGuest()}>
                Try without an account
              </button>
            )}
            {oauth.map((p) => (
              <button key={p.id} className="btn" type="button" onClick={() => void signIn(p.id, { redirectTo: callbackUrl })}>
                Continue with {p.name}
              </button>
            ))}
          </div>
        </>
      )}
    </>
  );
}
