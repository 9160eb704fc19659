/**
 * How an answer's parts read, in words (docs/design.md §3.11): the same labels in the chat
 * (components/chat/message-parts.tsx), the /lite page (lib/html/parts-html.ts) and the Markdown
 * export (lib/export/markdown.ts). Pure: no React, no server-only imports.
 */
import { thoughtSeconds, type Part, type ReasoningPart, type SourcePart, type ToolPart, type ToolStatus } from "./parts";

export const TOOL_STATUS_LABEL: Record<ToolStatus, string> = {
  input: "Writing input…",
  "awaiting-approval": "Waiting for approval",
  running: "Running…",
  done: "Done",
  error: "Failed",
  denied: "Denied",
};

/** "Thought for 4 s" once it ended; "Thinking" while it goes on (`live`); "Thought" when it stopped without an end time. */
export function reasoningLabel(p: ReasoningPart, live: boolean): string {
  const secs = thoughtSeconds(p);
  if (secs !== undefined) return `Thought for ${secs} s`;
  return live ? "Thinking" : "Thought";
}

/** " (4 s)" after a heading, once the thinking ended; nothing while it goes on. */
export function thoughtLabel(p: ReasoningPart): string {
  const secs = thoughtSeconds(p);
  return secs === undefined ? "" : ` (${secs} s)`;
}

/** The tool's name, with where it comes from when that is not the app itself. */
export function toolTitle(p: ToolPart): { name: string; source?: string } {
  return p.source && p.source !== "builtin" ? { name: p.name, source: p.source } : { name: p.name };
}

/** "Allowed by Ana" / "Denied by Ana", when someone decided. */
export function decisionLabel(p: ToolPart): string | undefined {
  if (!p.decidedBy) return undefined;
  return `${p.status === "denied" ? "Denied" : "Allowed"} by ${p.decidedBy.name}`;
}

/** A tool's input or output as text to show verbatim: a string as it is, anything else as indented JSON. */
export function prettyValue(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    // A cycle or a BigInt cannot come from JSON, but a value is shown rather than thrown on.
    return String(value);
  }
}

/** A source as shown: a link only for http(s) URLs, named by its title or else its host. */
export function sourceView(p: SourcePart): { href?: string; text: string } {
  let url: URL | undefined;
  try {
    url = new URL(p.url);
  } catch {
    url = undefined;
  }
  const title = p.title?.trim();
  if (url && (url.protocol === "http:" || url.protocol === "https:")) return { href: url.href, text: title || url.hostname };
  return { text: title ? `${title} (${p.url})` : p.url };
}

/** The sources of an answer in order, each URL once. */
export function sourcesOf(parts: readonly Part[]): SourcePart[] {
  const seen = new Set<string>();
  return parts.filter((p): p is SourcePart => {
    if (p.type !== "source" || seen.has(p.url)) return false;
    seen.add(p.url);
    return true;
  });
}
