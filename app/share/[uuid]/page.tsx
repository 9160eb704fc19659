import type { Metadata } from "next";
import { cache } from "react";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getSharedMessages } from "@/lib/chat/share";
import { AppError } from "@/lib/errors";
import { isUuid } from "@/lib/ids";
import { findAgent } from "@/lib/models/agents";
import type { SharedState } from "@/client/share";
import { Providers } from "@/components/chat/providers";
import { ThemeToggle } from "@/components/chat/theme-toggle";
import { SharedChat } from "@/components/share/shared-chat";
import { IconGlobe } from "@/components/chat/icons";
import "../../chat/chat.css";
import "../../chat/files.css";
import "../share.css";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ uuid: string }> };

/** The shared chat, or null: not a share uuid, private again, or its owner's account is disabled. */
const loadShared = cache(async (raw: string): Promise<SharedState | null> => {
  if (!isUuid(raw)) return null;
  try {
    return await getSharedMessages({ shareUuid: raw.toLowerCase() });
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return null;
    throw err;
  }
});

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const shared = await loadShared((await params).uuid);
  // A link is for the people it was given to: not for search engines.
  return { title: shared?.chat.title.trim() || "Shared chat", robots: { index: false, follow: false } };
}

/**
 * A chat made public by its owner: server rendered with the messages so far, for anyone with
 * the link (no sign-in), then kept live by polling. Says nothing about who the members are.
 */
export default async function SharePage({ params }: Params) {
  const { uuid } = await params;
  const shared = await loadShared(uuid);
  if (!shared) notFound();
  const { chat } = shared;
  const agent = findAgent(chat.agent)?.name ?? chat.agent;
  const started = new Date(chat.createdAt).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  return (
    <Providers>
      <div className="share-page">
        <header className="share-top">
          <Link href="/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              ◆
            </span>
            PollChat
          </Link>
          <span className="share-badge">
            <IconGlobe size={14} /> Shared chat · read-only
          </span>
          <ThemeToggle />
        </header>
        <main className="share-main" id="main">
          <div className="share-head">
            <h1 className="share-title">{chat.title.trim() || "Untitled chat"}</h1>
            <p className="share-meta">
              {agent} · started {started}
            </p>
          </div>
          <SharedChat shareUuid={chat.shareUuid} initial={shared} />
        </main>
        <footer className="share-foot">
          <p>
            {/* Hidden (share.css) once the owner makes the chat private: it no longer updates. */}
            <span className="share-live-note">A read-only copy that updates as the chat goes on. </span>
            <Link href="/signup">Start your own chat</Link>
          </p>
        </footer>
      </div>
    </Providers>
  );
}
