import Link from "next/link";
import { redirect } from "next/navigation";
import { oauthProviders } from "@/lib/auth/config";
import { pageUser } from "@/lib/auth/session";
import { guestsAllowed } from "@/lib/auth/guest";
import { AuthForm } from "./auth-form";
import { BrandCard } from "./status-page";
import { safeCallback } from "@/lib/callback-url";


export async function AuthPage({ mode, searchParams }: { mode: "signin" | "signup"; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  // Only same-site paths may be returned to after sign-in (lib/callback-url.ts).
  const callbackUrl = safeCallback(sp.callbackUrl);
  // A guest may open both: sign-up turns the guest into the new account, chats and all.
  const user = await pageUser();
  if (user && !user.guest) redirect(callbackUrl);
  const converting = mode === "signup" && user?.guest === true;
  const error = typeof sp.code === "string" ? sp.code : typeof sp.error === "string" ? sp.error : undefined;
  const other = mode === "signin" ? "/signup" : "/signin";
  const otherHref = callbackUrl === "/" ? other : `${other}?callbackUrl=${encodeURIComponent(callbackUrl)}`;
  return (
    <BrandCard>
      <h1>{mode === "signin" ? "Welcome back" : converting ? "Keep your chats" : "Create your account"}</h1>
      <p className="lead">
        {mode === "signin"
          ? "Sign in to pick up your conversations on any device."
          : converting
            ? "Create an account and everything you did as a guest stays yours, on any device."
            : "Answers that survive reloads, flaky networks and closed tabs."}
      </p>
      {callbackUrl.startsWith("/invite/") && (
        <p className="auth-invite" role="note">
          {mode === "signin" ? "Sign in" : "Create your account"} to join the chat you were invited to.
        </p>
      )}
      <AuthForm
        mode={mode}
        oauth={converting ? [] : oauthProviders()}
        callbackUrl={callbackUrl}
        initialError={error}
        guests={mode === "signin" && guestsAllowed() && !user}
      />
      {mode === "signin" && (
        <p className="auth-switch">
          <Link href="/forgot-password">Forgot your password?</Link>
        </p>
      )}
      <p className="auth-switch">
        {mode === "signin" ? "New here? " : "Already have an account? "}
        <Link href={otherHref}>{mode === "signin" ? "Create an account" : "Sign in"}</Link>
      </p>
    </BrandCard>
  );
}
