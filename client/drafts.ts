/**
 * Unsent drafts, one per chat ("new" for the new-chat screen), kept in localStorage so a
 * reload, a crash or a lost network never loses what the person typed.
 */
import { useSyncExternalStore } from "react";

const PREFIX = "pollchat:draft:";
const memory = new Map<string, string>();
/** When each draft was last edited here (not across reloads: typing is a live signal). */
const editedAt = new Map<string, number>();
/** A draft counts as "typing" while it is not empty and was edited this recently. */
const TYPING_MS = 8_000;

/** Is the person writing a message in this chat right now? (Sent to the others with the poll.) */
export function isTyping(key: string): boolean {
  return Date.now() - (editedAt.get(key) ?? 0) < TYPING_MS && read(key).trim() !== "";
}
const listeners = new Set<() => void>();

function read(key: string): string {
  try {
    return localStorage.getItem(PREFIX + key) ?? "";
  } catch {
    return memory.get(key) ?? "";
  }
}

/** The draft now (after an await, the one a render saw may be old). */
export function getDraft(key: string): string {
  return read(key);
}

export function setDraft(key: string, value: string): void {
  if (value) editedAt.set(key, Date.now());
  else editedAt.delete(key);
  try {
    if (value) localStorage.setItem(PREFIX + key, value);
    else localStorage.removeItem(PREFIX + key);
  } catch {
    // Private mode or a full quota: keep it for this page at least.
    if (value) memory.set(key, value);
    else memory.delete(key);
  }
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  window.addEventListener("storage", l);
  return () => {
    listeners.delete(l);
    window.removeEventListener("storage", l);
  };
}

export function useDraft(key: string): [string, (value: string) => void] {
  const value = useSyncExternalStore(
    subscribe,
    () => read(key),
    () => "",
  );
  return [value, (v: string) => setDraft(key, v)];
}
