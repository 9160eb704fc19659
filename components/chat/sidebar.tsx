"use client";

/**
 * The chat list: newest activity first, grouped by day, searchable, and live (polled every
 * second, so a chat made or renamed in another tab shows up within a second).
 */
import { InvitationsBox } from "./invitations-box";
import { useEffect, useState } from "react";
import Link from "next/link";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { signOut } from "next-auth/react";
import { api } from "@/client/api";
import { CHAT_PAGE_SIZE, keys, type ChatListPage } from "@/client/keys";
import { groupByDay } from "@/client/group-by-day";
import { ChatListItem } from "./chat-list-item";
import { ThemeToggle } from "./theme-toggle";
import { NEW_CHAT_SHORTCUT, useShell, type ShellUser } from "./shell";
import { IconClose, IconNewChat, IconSearch, IconSettings, IconShield, IconSignOut } from "./icons";

function useChatList(q: string) {
  return useInfiniteQuery({
    queryKey: keys.chats(q),
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams({ limit: String(CHAT_PAGE_SIZE) });
      if (pageParam) params.set("cursor", pageParam);
      if (q) params.set("q", q);
      return api<ChatListPage>(`/chat/list?${params}`);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 1000,
    refetchIntervalInBackground: false,
    placeholderData: keepPreviousData,
  });
}

function useDebounced(value: string, ms: number): string {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return debounced;
}

export function Sidebar({ user }: { user: ShellUser }) {
  const { setDrawerOpen, newChat } = useShell();
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 200);
  const { data, hasNextPage, fetchNextPage, isFetchingNextPage, isError } = useChatList(q);
  const chats = data?.pages.flatMap((p) => p.chats) ?? [];
  const [now] = useState(() => new Date());
  const groups = groupByDay(chats, now);
  const initial = (user.guest ? "Guest" : user.name || user.email).trim().charAt(0).toUpperCase() || "?";

  return (
    <aside className="sidebar" id="sidebar" aria-label="Chats">
      <div className="sidebar-head">
        <Link href="/chat" className="brand" aria-label="PollChat home">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          PollChat
        </Link>
        <button type="button" className="icon-btn mobile-only" aria-label="Close sidebar" onClick={() => setDrawerOpen(false)}>
          <IconClose />
        </button>
      </div>
      <button
        type="button"
        className="new-chat-btn"
        onClick={newChat}
        aria-label="New chat"
        aria-keyshortcuts="Control+Shift+O Meta+Shift+O"
        data-tooltip={`New chat (${NEW_CHAT_SHORTCUT})`}
      >
        <IconNewChat size={17} />
        <span>New chat</span>
        {/* Drawn by CSS from data-keys: text inside the button would make its visible label differ
            from its accessible name (WCAG 2.5.3), which aria-keyshortcuts already carries. */}
        <kbd className="shortcut" aria-hidden="true" data-keys={NEW_CHAT_SHORTCUT.replace("Ctrl+", "⌃").replace("Shift+", "⇧")} />
      </button>
      <div className="search" role="search">
        <IconSearch size={16} className="search-icon" />
        <label htmlFor="chat-search" className="sr-only">
          Search chats
        </label>
        <input
          id="chat-search"
          type="search"
          placeholder="Search chats"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") setSearch("");
          }}
          autoComplete="off"
        />
      </div>
      {!user.guest && <InvitationsBox />}
      <nav className="chat-list" aria-label="Your chats">
        {groups.map((g) => (
          <section key={g.label} className="chat-group" aria-labelledby={`group-${g.label}`}>
            <h2 id={`group-${g.label}`}>{g.label}</h2>
            <ul>
              {g.items.map((c) => (
                <ChatListItem key={c.uuid} chat={c} />
              ))}
            </ul>
          </section>
        ))}
        {chats.length === 0 && data && (
          <p className="chat-list-empty">{q ? `No chats match “${q}”.` : "No chats yet. Start one!"}</p>
        )}
        {isError && chats.length === 0 && <p className="chat-list-empty">Could not load your chats. Retrying…</p>}
        {hasNextPage && (
          <button type="button" className="btn btn-ghost load-more" onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
            {isFetchingNextPage ? "Loading…" : "Show older chats"}
          </button>
        )}
      </nav>
      <div className="account">
        <span className="avatar" aria-hidden="true">
          {initial}
        </span>
        <Link href="/account" className="account-text account-link" title="Your account: limits and usage">
          {user.guest ? (
            <>
              <span className="account-name">Guest</span>
              <span className="account-email" data-testid="signed-in-as">
                Trying without an account
              </span>
            </>
          ) : (
            <>
              {user.name && <span className="account-name">{user.name}</span>}
              <span className="account-email" data-testid="signed-in-as" title={user.email}>
                Signed in as {user.email}
              </span>
            </>
          )}
        </Link>
        {user.role === "admin" && (
          <Link href="/admin" className="icon-btn" title="Admin">
            <IconShield />
            <span className="sr-only">Admin</span>
          </Link>
        )}
        <ThemeToggle />
        <Link href="/account" className="icon-btn" title="Account: usage, API tokens, data">
          <IconSettings />
          <span className="sr-only">Account settings</span>
        </Link>
        <button type="button" className="icon-btn" onClick={() => void signOut({ redirectTo: "/signin" })} title="Sign out">
          <IconSignOut />
          <span className="sr-only">Sign out</span>
        </button>
      </div>
    </aside>
  );
}
