"use client";

import { useEffect, useRef, useState } from "react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";
import { deleteChat, updateChat } from "@/client/actions";
import { ApiError } from "@/client/api";
import type { ChatDto } from "@/client/keys";
import { ConfirmDialog } from "./confirm-dialog";
import { IconDots, IconDownload, IconEdit, IconLeave, IconTrash, IconUsers } from "./icons";
import { removeMember } from "@/client/members";
import { useShell } from "./shell";

export function chatTitle(chat: Pick<ChatDto, "title">): string {
  return chat.title.trim() || "New chat";
}

export function ChatListItem({ chat }: { chat: ChatDto }) {
  const qc = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const active = pathname === `/chat/${chat.uuid}`;
  const [menuOpen, setMenuOpen] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const { user } = useShell();
  const owner = chat.role === "owner";
  const unread = Boolean(chat.unread) && !active;
  const menuRef = useRef<HTMLDivElement>(null);
  const optionsRef = useRef<HTMLButtonElement>(null);
  // Escape closes the title field without saving, even if the browser then reports a blur.
  const renameCancelled = useRef(false);
  const title = chatTitle(chat);

  useEffect(() => {
    if (!menuOpen) return;
    const onDown = (e: PointerEvent) => {
      if (!menuRef.current?.contains(e.target as Node) && !optionsRef.current?.contains(e.target as Node)) setMenuOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setMenuOpen(false);
        optionsRef.current?.focus();
      }
    };
    document.addEventListener("pointerdown", onDown);
    document.addEventListener("keydown", onKey);
    menuRef.current?.querySelector<HTMLElement>("[role=menuitem]")?.focus();
    return () => {
      document.removeEventListener("pointerdown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [menuOpen]);

  async function rename(value: string) {
    setRenaming(false);
    if (renameCancelled.current) return;
    const next = value.trim();
    if (!next || next === chat.title) return;
    try {
      await updateChat(qc, chat.uuid, { title: next });
      setError("");
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not rename the chat.");
    }
  }

  async function remove() {
    setBusy(true);
    try {
      if (owner) await deleteChat(qc, chat.uuid);
      else await removeMember(qc, chat.uuid, user.id);
      setConfirming(false);
      if (active) router.replace("/chat");
    } catch (err) {
      setError(err instanceof ApiError ? err.message : owner ? "Could not delete the chat." : "Could not leave the chat.");
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  }

  function onMenuKey(e: React.KeyboardEvent) {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    e.preventDefault();
    const items = [...(menuRef.current?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? [])];
    const i = items.indexOf(document.activeElement as HTMLElement);
    items[(i + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
  }

  return (
    <li className={`chat-item${active ? " active" : ""}${menuOpen ? " menu-open" : ""}${unread ? " unread" : ""}`}>
      {renaming ? (
        <input
          className="rename-input"
          aria-label="Chat title"
          defaultValue={chat.title}
          maxLength={200}
          autoFocus
          onFocus={(e) => e.currentTarget.select()}
          onBlur={(e) => void rename(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              e.currentTarget.blur();
            } else if (e.key === "Escape") {
              e.preventDefault();
              e.stopPropagation();
              renameCancelled.current = true;
              setRenaming(false);
            }
          }}
        />
      ) : (
        <Link href={`/chat/${chat.uuid}`} className="chat-link" aria-current={active ? "page" : undefined} title={title} prefetch={false}>
          {chat.shared && <IconUsers size={14} className="chat-shared-icon" />}
          <span className="chat-link-title">{title}</span>
          {chat.shared && <span className="sr-only">, shared</span>}
          {unread && (
            <span className="unread-dot" data-testid="unread">
              <span className="sr-only">, unread</span>
            </span>
          )}
        </Link>
      )}
      {!renaming && (
        <button
          ref={optionsRef}
          type="button"
          className="chat-options"
          aria-label={`Options for ${title}`}
          aria-haspopup="menu"
          aria-expanded={menuOpen}
          onClick={() => setMenuOpen((o) => !o)}
        >
          <IconDots size={16} />
        </button>
      )}
      {menuOpen && (
        <div className="menu" role="menu" aria-label={`Options for ${title}`} ref={menuRef} onKeyDown={onMenuKey}>
          {chat.role !== "viewer" && (
            <button
              type="button"
              role="menuitem"
              onClick={() => {
                setMenuOpen(false);
                renameCancelled.current = false;
                setRenaming(true);
              }}
            >
              <IconEdit size={15} /> Rename
            </button>
          )}
          <a role="menuitem" href={`/api/chats/${chat.uuid}/export?format=md`} download onClick={() => setMenuOpen(false)}>
            <IconDownload size={15} /> Export as Markdown
          </a>
          <a role="menuitem" href={`/api/chats/${chat.uuid}/export?format=json`} download onClick={() => setMenuOpen(false)}>
            <IconDownload size={15} /> Export as JSON
          </a>
          <button
            type="button"
            role="menuitem"
            className="danger"
            onClick={() => {
              setMenuOpen(false);
              setConfirming(true);
            }}
          >
            {owner ? (
              <>
                <IconTrash size={15} /> Delete
              </>
            ) : (
              <>
                <IconLeave size={15} /> Leave
              </>
            )}
          </button>
        </div>
      )}
      {error && (
        <p className="chat-item-error" role="alert">
          {error}
        </p>
      )}
      {confirming && (
      <ConfirmDialog
        open
        title={owner ? "Delete chat?" : "Leave chat?"}
        body={
          owner ? (
            <p>
              This deletes <strong>{title}</strong> and all its messages, on every device{chat.shared ? " and for everyone in it" : ""}. It cannot be undone.
            </p>
          ) : (
            <p>
              You will no longer see <strong>{title}</strong>. Its owner can invite you again.
            </p>
          )
        }
        confirmLabel={owner ? "Delete" : "Leave"}
        danger
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setConfirming(false)}
      />
      )}
    </li>
  );
}
