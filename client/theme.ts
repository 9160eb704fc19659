/**
 * Light and dark: the system's choice unless the person picked one, which is kept in
 * localStorage and set as data-theme on <html> (app/layout.tsx applies it before paint).
 */
import { useSyncExternalStore } from "react";

import { THEME_KEY } from "./theme-boot";

export type Theme = "light" | "dark";

const listeners = new Set<() => void>();

function systemTheme(): Theme {
  return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function current(): Theme {
  const set = document.documentElement.dataset.theme;
  return set === "light" || set === "dark" ? set : systemTheme();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  const mq = window.matchMedia("(prefers-color-scheme: dark)");
  mq.addEventListener("change", l);
  return () => {
    listeners.delete(l);
    mq.removeEventListener("change", l);
  };
}

export function useTheme(): Theme | null {
  return useSyncExternalStore<Theme | null>(subscribe, current, () => null);
}

/** Sets an explicit theme; choosing the system's own theme goes back to following the system. */
export function setTheme(theme: Theme): void {
  const root = document.documentElement;
  try {
    if (theme === systemTheme()) localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, theme);
  } catch {
    // Not persisted; still applied below.
  }
  if (theme === systemTheme()) delete root.dataset.theme;
  else root.dataset.theme = theme;
  for (const l of listeners) l();
}
