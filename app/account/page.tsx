import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { pageUser } from "@/lib/auth/session";
import { accountUsage } from "@/lib/account/usage";
import { formatCount } from "@/lib/duration";
import { QuotaList } from "@/components/account/quota-list";
import { UsageTable } from "@/components/account/usage-table";
import "@/components/account/account.css";
import { SignOutEverywhereButton } from "@/components/sign-out-button";

export const metadata: Metadata = { title: "Account" };
export const dynamic = "force-dynamic";

/** The signed-in user's account: who they are, their quotas and what is used, their usage per day and model. */
export default async function AccountPage() {
  const user = await pageUser();
  if (!user) redirect("/signin?callbackUrl=/account");
  const usage = await accountUsage(user.id);
  const display = user.guest ? "Guest" : user.name || user.email || "You";
  const { today, period } = usage.totals;
  return (
    <>
      <h1>Account</h1>
      <p className="lead">Your limits, and the tokens your answers used.</p>

      <section className="card" aria-labelledby="profile-title">
        <h2 id="profile-title" className="sr-only">
          Profile
        </h2>
        <div className="profile">
          <span className="avatar" aria-hidden="true">
            {display.trim().charAt(0).toUpperCase() || "?"}
          </span>
          <div className="profile-text">
            <strong data-testid="account-name">{display}</strong>
            <span>{user.guest ? "Trying PollChat without an account" : user.email}</span>
          </div>
          {user.role === "admin" && <span className="badge badge-accent">Admin</span>}
          {user.guest && <span className="badge">Guest</span>}
        </div>
        {!user.guest && (
          <div className="profile-actions">
            <span className="muted small">{user.emailVerified ? "Email address confirmed." : "Email address not confirmed yet: open the link we mailed you."}</span>
            <SignOutEverywhereButton />
          </div>
        )}
        {user.guest && (
          <div className="guest-note">
            <span>Create an account to keep your chats and get higher limits. Everything you did as a guest stays.</span>
            <Link className="btn btn-primary" href="/signup?callbackUrl=/account">
              Create an account
            </Link>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="quotas-title">
        <h2 id="quotas-title">Your limits</h2>
        <p className="card-lead">A message over a limit is refused with the time when you can send again.</p>
        <QuotaList quotas={usage.quotas} />
      </section>

      <section className="card" aria-labelledby="usage-title">
        <h2 id="usage-title">Usage</h2>
        <p className="card-lead" data-testid="usage-totals">
          Today: {formatCount(today.inputTokens + today.outputTokens)} tokens in {formatCount(today.requests)}{" "}
          {today.requests === 1 ? "answer" : "answers"}. Last {period.days} days: {formatCount(period.inputTokens + period.outputTokens)} tokens in{" "}
          {formatCount(period.requests)} {period.requests === 1 ? "answer" : "answers"}.
        </p>
        <UsageTable days={usage.days} periodDays={period.days} />
      </section>

      {!user.guest && (
        <section className="card" aria-labelledby="more-title">
          <h2 id="more-title">More</h2>
          <p className="card-lead">Tokens for the API, and your data.</p>
          <div className="card-links">
            <Link className="btn" href="/account/tokens">
              API tokens
            </Link>
            <Link className="btn" href="/account/data">
              Export and import
            </Link>
          </div>
        </section>
      )}
    </>
  );
}
