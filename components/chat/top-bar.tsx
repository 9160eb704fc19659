"use client";

import { useShell, NEW_CHAT_SHORTCUT } from "./shell";
import { OfflineBadge } from "./offline-badge";
import { IconMenu, IconNewChat } from "./icons";

/** The bar above a chat: the drawer button on phones, the title, the chat's controls. */
export function TopBar({ children, title }: { children?: React.ReactNode; title?: React.ReactNode }) {
  const { drawerOpen, setDrawerOpen, newChat } = useShell();
  return (
    <header className="topbar">
      <button
        type="button"
        className="icon-btn mobile-only"
        aria-label="Open sidebar"
        aria-controls="sidebar"
        aria-expanded={drawerOpen}
        onClick={() => setDrawerOpen(true)}
      >
        <IconMenu />
      </button>
      <div className="topbar-title">{title}</div>
      <OfflineBadge />
      <div className="topbar-tools">{children}</div>
      <button
        type="button"
        className="icon-btn mobile-only"
        aria-label="New chat"
        title={`New chat (${NEW_CHAT_SHORTCUT})`}
        onClick={newChat}
      >
        <IconNewChat />
      </button>
    </header>
  );
}
