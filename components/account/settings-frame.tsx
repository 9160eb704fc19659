/**
 * The frame of the signed-in pages outside the chat, account and admin alike: the product's
 * mark, who is signed in, the theme toggle and the way back to the chats on top; the side menu
 * (Usage, API tokens, Data, and Admin for admins) and one main landmark below. `wide` gives
 * the admin's tables more room.
 */
import Link from "next/link";
import type { ReactNode } from "react";
import { ThemeToggle } from "@/components/chat/theme-toggle";
import { IconArrowDown } from "@/components/chat/icons";
import { AccountNav } from "./account-nav";
import "@/app/chat/chat.css";
import "@/app/account/account.css";
import "./account.css";

export function SettingsFrame({ user, wide = false, children }: { user: { email: string | null; role: string }; wide?: boolean; children: ReactNode }) {
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
      <div className={`account-body${wide ? " wide" : ""}`}>
        <AccountNav admin={user.role === "admin"} />
        <main className="account-main" id="main">
          {children}
        </main>
      </div>
    </div>
  );
}
