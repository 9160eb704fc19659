/**
 * An answer's parts as HTML for /lite (docs/design.md §3.11 and §11), in the order of its parts:
 * reasoning as a <details> (open while the model still thinks), the stretches of its text as
 * Markdown (lib/markdown/html: sanitized), tool calls as cards with their input and output as
 * escaped text, Allow/Deny forms while one waits for a member who may act, and its sources
 * listed at the end (links only for http(s)). Everything a model or a tool wrote is escaped.
 */
import "server-only";
import { textSlices, type Part, type ReasoningPart, type ToolPart } from "../parts";
import { decisionLabel, prettyValue, reasoningLabel, sourcesOf, sourceView, TOOL_STATUS_LABEL, toolTitle } from "../parts-display";
import { markdownToHtml } from "../markdown/html";
import { escapeHtml } from "./escape";

export interface PartsHtmlOptions {
  /** The reader may allow or deny a tool call (a member who may write). */
  canApprove: boolean;
  messageUuid: string;
  /** The text is not final (streaming, stopped or failed): its open Markdown is closed for display. */
  partial?: boolean;
  /** The level of the answer's first heading (the /lite page's chat title is an <h2>). */
  top?: number;
}

function reasoningHtml(p: ReasoningPart, live: boolean): string {
  return `<details class="part-reasoning${live ? ' live" open' : '"'}><summary>${escapeHtml(reasoningLabel(p, live))}</summary><div class="part-reasoning-text">${escapeHtml(p.text)}</div></details>`;
}

function valueHtml(label: string, value: unknown): string {
  return `<div class="part-tool-value"><span class="part-tool-label">${label}</span><pre tabindex="0">${escapeHtml(prettyValue(value))}</pre></div>`;
}

function approvalHtml(messageUuid: string, callId: string): string {
  const url = escapeHtml(`/chat/message/${encodeURIComponent(messageUuid)}/tools/${encodeURIComponent(callId)}`);
  // The status changes on the next polls, like any other change: the forms swap nothing.
  const form = (approve: 0 | 1, label: string, cls: string) =>
    `<form class="part-tool-decide" hx-post="${url}" hx-swap="none" hx-sync="drop"><input type="hidden" name="approve" value="${approve}"><button type="submit" class="btn btn-small${cls}">${label}</button></form>`;
  return `<div class="part-tool-approval" role="group" aria-label="Run this tool?">${form(1, "Allow", " btn-primary")}${form(0, "Deny", "")}</div>`;
}

function toolHtml(p: ToolPart, opts: PartsHtmlOptions): string {
  const title = toolTitle(p);
  const decision = decisionLabel(p);
  return [
    `<div class="part-tool" data-status="${escapeHtml(p.status)}">`,
    `<div class="part-tool-head"><span class="part-tool-name">${escapeHtml(title.name)}</span>`,
    title.source ? `<span class="part-tool-source">${escapeHtml(title.source)}</span>` : "",
    `<span class="part-tool-status" data-status="${escapeHtml(p.status)}">${escapeHtml(TOOL_STATUS_LABEL[p.status])}</span></div>`,
    p.input !== undefined ? valueHtml("Input", p.input) : "",
    p.status === "done" && p.output !== undefined ? valueHtml("Output", p.output) : "",
    p.error ? `<p class="part-tool-error">${escapeHtml(p.error)}</p>` : "",
    decision ? `<p class="part-tool-decision">${escapeHtml(decision)}</p>` : "",
    p.status === "awaiting-approval" && opts.canApprove ? approvalHtml(opts.messageUuid, p.callId) : "",
    `</div>`,
  ].join("");
}

function sourcesHtml(parts: readonly Part[]): string {
  const sources = sourcesOf(parts);
  if (sources.length === 0) return "";
  const items = sources.map((s) => {
    const view = sourceView(s);
    const body = view.href ? `<a href="${escapeHtml(view.href)}" target="_blank" rel="noopener noreferrer nofollow">${escapeHtml(view.text)}</a>` : escapeHtml(view.text);
    return `<li>${body}</li>`;
  });
  return `<div class="part-sources"><p class="part-sources-title">Sources</p><ol>${items.join("")}</ol></div>`;
}

/** The blocks of an answer with parts; `text` is its visible text (the text parts are slices of it; empty ones are left out). */
export function partsHtml(parts: readonly Part[], text: string, opts: PartsHtmlOptions): string {
  const slices = textSlices(parts, text);
  const textFrom = (i: number) => parts.some((p, j) => j > i && p.type === "text" && (slices.get(j) ?? "") !== "");
  const blocks = parts.map((p, i) => {
    switch (p.type) {
      case "reasoning":
        return reasoningHtml(p, !p.endedAt && !textFrom(i));
      case "text": {
        const slice = slices.get(i) ?? "";
        return slice === "" ? "" : `<div class="part-text">${markdownToHtml(slice, { partial: opts.partial ?? false, top: opts.top ?? 3 })}</div>`;
      }
      case "tool":
        return toolHtml(p, opts);
      default:
        return "";
    }
  });
  return `<div class="parts">${blocks.join("")}${sourcesHtml(parts)}</div>`;
}
