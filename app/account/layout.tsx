import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { pageUser } from "@/lib/auth/session";
import { AccountNav } from "@/components/account/account-nav";
import { ThemeToggle } from "@/components/chat/theme-toggle";
import { IconArrowDown } from "@/components/chat/icons";
import "../chat/chat.css";
import "./account.css";

export const metadata: Metadata = { title: { default: "Account", template: "%s · Account · PollChat" } };

/** The account area: usage, API tokens, data. Signed out: to the sign-in page. */
export default async function AccountLayout({ children }: { children: React.ReactNode }) {
  const user = await pageUser();
  if (!user) redirect("/signin?callbackUrl=/account");
  return (
    <div className="account-page">
      <header className="account-top">
        <Link href="/chat" className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          PollChat
        </Link>
        <span className="account-who" title={user.email ?? undefined}>
          {user.email}
        </span>
        <ThemeToggle />
        <Link href="/chat" className="btn btn-small">
          <IconArrowDown size={14} className="back-icon" /> Back to chats
        </Link>
      </header>
      <div className="account-body">
        <AccountNav admin={user.role === "admin"} />
        <main className="account-main" id="main">
          {children}
        </main>
      </div>
    </div>
  );
}
