"use client";

import { signOut } from "next-auth/react";

export function SignOutButton() {
  return (
    <button className="btn" type="button" onClick={() => void signOut({ redirectTo: "/signin" })}>
      Sign out
    </button>
  );
}

/** Ends every session of the account (other devices included), then this one. */
export function SignOutEverywhereButton() {
  return (
    <button
      className="btn"
      type="button"
      onClick={() =>
        void fetch("/api/account/sessions", { method: "DELETE" })
          .catch(() => undefined)
          .then(() => signOut({ redirectTo: "/signin" }))
      }
    >
      Sign out everywhere
    </button>
  );
}
