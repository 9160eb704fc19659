"use client";

import { useEffect } from "react";
import { setTheme, syncThemeColor, useTheme } from "@/client/theme";
import { IconMoon, IconSun } from "./icons";

export function ThemeToggle() {
  const theme = useTheme();
  // A theme picked earlier (applied before paint) colours the browser bar too.
  useEffect(syncThemeColor, []);
  const next = theme === "dark" ? "light" : "dark";
  return (
    <button
      type="button"
      className="icon-btn"
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
      onClick={() => setTheme(next)}
    >
      {theme === "dark" ? <IconSun /> : <IconMoon />}
    </button>
  );
}
