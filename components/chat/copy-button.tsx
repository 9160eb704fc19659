"use client";

import { useEffect, useState } from "react";
import { IconCheck, IconCopy } from "./icons";

/** Copies text to the clipboard, with a fallback for browsers that refuse the async API. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

export function CopyButton({ getText, label = "Copy", className = "icon-btn", showLabel = false }: { getText: () => string; label?: string; className?: string; showLabel?: boolean }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 1600);
    return () => clearTimeout(t);
  }, [copied]);
  return (
    <button
      type="button"
      className={className}
      aria-label={copied ? "Copied" : label}
      title={copied ? "Copied" : label}
      onClick={() => void copyText(getText()).then(setCopied)}
    >
      {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
      {showLabel && <span>{copied ? "Copied" : "Copy"}</span>}
    </button>
  );
}
