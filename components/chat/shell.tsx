"use client";

/**
 * The app frame: sidebar (a drawer under 768 px) and the main area, plus the global
 * shortcut for a new chat (Ctrl/Cmd+Shift+O).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { usePathname, useRouter } from "next/navigation";
import { Sidebar } from "./sidebar";
import { GuestBanner } from "./guest-banner";
import { VerifyBanner } from "./verify-banner";

/** Who is signed in, as the frame shows them (the sidebar's account, the guest banner, their own messages). */
export interface ShellUser {
  id: string;
  email: string;
  name: string | null;
  role: "user" | "admin";
  guest: boolean;
  /** Unverified: a banner asks to follow the mailed link. */
  emailVerified?: boolean;
}

interface ShellContext {
  /** The signed-in person (their id tells their own messages from others' in shared chats). */
  user: ShellUser;
  drawerOpen: boolean;
  setDrawerOpen: (open: boolean) => void;
  newChat: () => void;
}

const Ctx = createContext<ShellContext>({ user: { id: "", email: "", name: null, role: "user", guest: false }, drawerOpen: false, setDrawerOpen: () => {}, newChat: () => {} });

export const useShell = () => useContext(Ctx);

export const NEW_CHAT_SHORTCUT = "Ctrl+Shift+O";

export function AppShell({ user, children }: { user: ShellUser; children: React.ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [drawerPath, setDrawerPath] = useState(pathname);
  // Navigating closes the drawer (state derived during render, not in an effect).
  if (drawerPath !== pathname) {
    setDrawerPath(pathname);
    setDrawerOpen(false);
  }

  const newChat = useCallback(() => {
    setDrawerOpen(false);
    if (pathname === "/chat") document.getElementById("composer-new")?.focus();
    else router.push("/chat");
  }, [pathname, router]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === "o") {
        e.preventDefault();
        newChat();
      } else if (e.key === "Escape" && drawerOpen) {
        setDrawerOpen(false);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [newChat, drawerOpen]);

  const value = useMemo(() => ({ user, drawerOpen, setDrawerOpen, newChat }), [user, drawerOpen, newChat]);

  return (
    <Ctx.Provider value={value}>
      <div className="app" data-drawer={drawerOpen ? "open" : "closed"}>
        <a
          href="#main"
          className="skip-link"
          onClick={(e) => {
            const box = document.querySelector<HTMLTextAreaElement>(".composer textarea");
            if (box) {
              e.preventDefault();
              box.focus();
            }
          }}
        >
          Skip to message box
        </a>
        <Sidebar user={user} />
        <div className="scrim" aria-hidden="true" onClick={() => setDrawerOpen(false)} />
        <main className="main" id="main">
          {user.guest && <GuestBanner />}
          {!user.guest && user.emailVerified === false && <VerifyBanner email={user.email} />}
          {children}
        </main>
      </div>
    </Ctx.Provider>
  );
}
