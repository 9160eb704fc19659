/**
 * The frame of the signed-in pages outside the chat (/account, /admin): the product's mark, a
 * navigation between them and back to the chats, the theme toggle, and one main landmark.
 */
import Link from "next/link";
import type { ReactNode } from "react";
import { ThemeToggle } from "@/components/chat/theme-toggle";
import "@/app/chat/chat.css";
import "./account.css";

export interface FrameLink {
  href: string;
  label: string;
}

export function SettingsFrame({ current, admin, children }: { current: string; admin: boolean; children: ReactNode }) {
  const links: FrameLink[] = [
    { href: "/chat", label: "Chats" },
    { href: "/account", label: "Account" },
    ...(admin ? [{ href: "/admin", label: "Admin" }] : []),
  ];
  return (
    <div className="settings">
      <header className="settings-head">
        <Link href="/chat" className="brand" aria-label="PollChat home">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          PollChat
        </Link>
        <nav className="settings-nav" aria-label="Pages">
          {links.map((l) => (
            <Link key={l.href} href={l.href} aria-current={l.href === current ? "page" : undefined}>
              {l.label}
            </Link>
          ))}
        </nav>
        <ThemeToggle />
      </header>
      <main className="settings-main" id="main">
        {children}
      </main>
    </div>
  );
}
