/**
 * Light and dark: the system's choice unless the person picked one, which is kept in
 * localStorage and set as data-theme on <html> (app/layout.tsx applies it before paint).
 */
import { useSyncExternalStore } from "react";

import { THEME_COLORS, THEME_KEY } from "./theme-boot";

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

/**
 * The browser bar follows the theme: the layout's theme-color tags answer the system's
 * scheme (by media query); a theme picked here overrides both, and following the system again
 * gives each its own colour back.
 */
export function syncThemeColor(): void {
  const picked = document.documentElement.dataset.theme;
  for (const meta of document.querySelectorAll<HTMLMetaElement>('meta[name="theme-color"]')) {
    const own = meta.media.includes("dark") ? THEME_COLORS.dark : THEME_COLORS.light;
    meta.content = picked === "light" || picked === "dark" ? THEME_COLORS[picked] : own;
  }
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
  syncThemeColor();
  for (const l of listeners) l();
}
