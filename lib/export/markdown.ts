/**
 * A chat as a Markdown document, for reading (the JSON export is the one to import): the
 * title, a line saying where it comes from, then each message under a heading naming who
 * wrote it. Answers are Markdown already (one with parts adds its thinking, tool calls and
 * sources around its text: ./parts-markdown); a person's message is kept as they typed it.
 */
import "server-only";
import { findAgent } from "../models/agents";
import { findModel } from "../models/registry";
import { hasRichParts } from "../parts";
import type { ExportedChat } from "./format";
import { partsToMarkdown } from "./parts-markdown";
import { formatBytes } from "../files/bytes";

const ROLE_HEADING = { user: "You", assistant: "Assistant", system: "System" } as const;

function stamp(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A heading line cannot hold a line break; a title is one line anyway, but a file may say otherwise. */
function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

export function chatToMarkdown(chat: ExportedChat, exportedAt: string): string {
  const agent = findAgent(chat.agent)?.name ?? chat.agent;
  const model = chat.params.model ? (findModel(chat.params.model)?.label ?? chat.params.model) : undefined;
  const about = [`Exported from PollChat on ${stamp(exportedAt)}`, `agent: ${agent}`, ...(model ? [`model: ${model}`] : [])].join(" · ");
  const parts = [`# ${oneLine(chat.title) || "New chat"}`, `*${about}*`];
  for (const m of chat.messages) {
    const text = hasRichParts(m.parts) ? partsToMarkdown(m.parts, m.content) : m.content;
    const body = [`### ${ROLE_HEADING[m.role]} · ${stamp(m.createdAt)}`, text.trim() === "" && !m.attachments?.length ? "*(no text)*" : text];
    // The files themselves are in the JSON export; here, what was attached.
    if (m.attachments?.length) body.push(m.attachments.map((a) => `- 📎 ${oneLine(a.name)} (${a.mediaType}, ${formatBytes(a.size)})`).join("\n"));
    if (m.status === "failed") body.push(`> **This answer failed:** ${oneLine(m.error ?? "no reason was given")}`);
    if (m.status === "cancelled") body.push("> *Stopped before it was finished.*");
    if (m.status === "pending") body.push("> *Still being written when this was exported.*");
    parts.push("---", body.join("\n\n"));
  }
  return `${parts.join("\n\n")}\n`;
}
