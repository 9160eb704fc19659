/**
 * The /lite page: a whole chat client in one HTML document, driven by htmx.org alone (no
 * React on the client). The fragments it swaps come from the chat endpoints (./fragments.ts);
 * the little script at the end only reports errors, keeps the view scrolled and sends on Enter.
 */
import "server-only";
import htmxPackage from "htmx.org/package.json";
import { chatBlock, escapeHtml } from "./fragments";
import type { ChatDto, MessageDto } from "@/lib/contract";

export const HTMX_VERSION: string = htmxPackage.version;

/**
 * htmx 4 swaps every status but 204 and 304; our errors are JSON, shown by the page script
 * instead. No history handling (the page only replaces its URL). Requests time out after 20 s
 * so that a hung poll (one in flight at a time) cannot stall a poller for long.
 */
const HTMX_CONFIG = JSON.stringify({ noSwap: [204, 304, "4xx", "5xx"], history: false, defaultTimeout: 20000 });

const STYLE = `
:root {
  color-scheme: light dark;
  --bg: #f7f7f8; --panel: #ffffff; --panel-2: #f0f0f2; --text: #18181b; --muted: #5b5b66;
  --border: #dcdce2; --accent: #4f46e5; --accent-text: #ffffff; --accent-soft: #eef0ff;
  --danger: #b42318; --danger-soft: #fef0ee; --radius: 12px;
  --font: ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f0f12; --panel: #18181d; --panel-2: #222228; --text: #ececf1; --muted: #a3a3ad;
    --border: #33333b; --accent: #8b85ff; --accent-text: #0f0f12; --accent-soft: #25234a;
    --danger: #ff8a80; --danger-soft: #3a1715;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.55 var(--font); }
a { color: var(--accent); }
button, textarea { font: inherit; color: inherit; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.btn { border: 1px solid var(--border); background: var(--panel); border-radius: 10px; padding: 8px 14px; cursor: pointer; }
.btn:hover { background: var(--panel-2); }
.btn-primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); font-weight: 600; }
.btn-primary:hover { background: var(--accent); filter: brightness(1.08); }
.btn-small { padding: 2px 10px; font-size: 13px; border-radius: 8px; }
.htmx-request > .btn, .btn.htmx-request { opacity: .6; }
.top { position: sticky; top: 0; z-index: 2; display: flex; align-items: center; gap: 12px; padding: 10px 20px;
  background: var(--panel); border-bottom: 1px solid var(--border); }
.brand { font-weight: 700; display: flex; align-items: center; gap: 8px; margin: 0; font-size: inherit; }
.brand-mark { width: 26px; height: 26px; border-radius: 8px; background: var(--accent); color: var(--accent-text); display: grid; place-items: center; font-size: 13px; }
.brand small { font-weight: 500; color: var(--muted); }
.who { margin-left: auto; color: var(--muted); font-size: 13px; }
main { max-width: 780px; margin: 0 auto; padding: 16px 20px 0; }
.alert { margin: 10px 0; padding: 10px 14px; border-radius: 10px; background: var(--danger-soft); color: var(--danger); border: 1px solid var(--danger); }
.alert[hidden] { display: none; }
.empty { color: var(--muted); text-align: center; padding: 48px 0; }
.chat-title { font-size: 18px; margin: 6px 0 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.messages { display: flex; flex-direction: column; gap: 12px; padding-bottom: 12px; }
.messages:not(:has(.msg))::before { content: "No messages yet. Say hello below."; color: var(--muted); padding: 24px 0; text-align: center; }
.msg { background: var(--panel); border: 1px solid var(--border); border-radius: var(--radius); padding: 10px 14px; max-width: 92%; }
.msg-user { align-self: flex-end; background: var(--accent-soft); }
.msg-assistant, .msg-system { align-self: flex-start; }
.msg-meta { display: flex; align-items: center; gap: 8px; font-size: 12px; color: var(--muted); margin-bottom: 4px; min-height: 24px; }
.msg-role { font-weight: 600; }
.msg-status[data-status="pending"]::after { content: ""; display: inline-block; width: 6px; height: 6px; margin-left: 6px; border-radius: 50%;
  background: var(--accent); animation: blink 1s infinite; vertical-align: middle; }
.msg-status[data-status="failed"], .msg-status[data-status="cancelled"] { color: var(--danger); }
.msg-actions { margin-left: auto; }
.versions { display: inline-flex; align-items: center; gap: 2px; }
.versions form { display: inline; margin: 0; }
.versions .btn-small { padding: 0 6px; }
.version-at { font-variant-numeric: tabular-nums; }
.msg-content { white-space: pre-wrap; overflow-wrap: anywhere; }
.markdown .msg-content { white-space: normal; }
.markdown .msg-content > :first-child { margin-top: 0; }
.markdown .msg-content > :last-child { margin-bottom: 0; }
.markdown p, .markdown ul, .markdown ol, .markdown blockquote, .markdown pre, .markdown table { margin: 0 0 10px; }
.markdown :is(h3, h4, h5, h6) { margin: 14px 0 6px; line-height: 1.3; font-size: 1em; }
.markdown .md-h1 { font-size: 1.3em; } .markdown .md-h2 { font-size: 1.15em; } .markdown .md-h3 { font-size: 1.05em; }
.markdown ul, .markdown ol { padding-left: 22px; }
.markdown blockquote { padding-left: 12px; border-left: 3px solid var(--border); color: var(--muted); }
.markdown code { font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--panel-2); border-radius: 5px; padding: 1px 4px; }
.markdown pre { background: var(--panel-2); border: 1px solid var(--border); border-radius: 10px; padding: 10px 12px; overflow-x: auto; }
.markdown pre code { background: none; padding: 0; white-space: pre; }
.markdown table { border-collapse: collapse; display: block; overflow-x: auto; }
.markdown th, .markdown td { border: 1px solid var(--border); padding: 4px 10px; text-align: left; }
.hljs-keyword, .hljs-selector-tag, .hljs-doctag, .hljs-template-tag { color: light-dark(#cf222e, #ff7b72); }
.hljs-string, .hljs-regexp { color: light-dark(#0a3069, #a5d6ff); }
.hljs-comment, .hljs-quote, .hljs-meta { color: light-dark(#57606a, #9198a1); font-style: italic; }
.hljs-number, .hljs-literal, .hljs-operator, .hljs-symbol, .hljs-attr { color: light-dark(#0550ae, #79c0ff); }
.hljs-title, .hljs-section { color: light-dark(#8250df, #d2a8ff); }
.hljs-built_in, .hljs-type, .hljs-params, .hljs-variable { color: light-dark(#953800, #ffa657); }
.msg-error { margin-top: 6px; color: var(--danger); font-size: 14px; }
.msg-error[hidden] { display: none; }
.msg-notes { margin: 4px 0 6px; padding: 6px 10px 6px 26px; border-left: 3px solid var(--muted); font-size: 14px; color: var(--muted); }
.msg-notes[hidden] { display: none; }
@keyframes blink { 50% { opacity: .2; } }
.answer-parts:empty { display: none; }
.answer-parts { margin-bottom: 8px; }
.parts { display: grid; gap: 8px; min-width: 0; }
.part-reasoning summary { cursor: pointer; color: var(--muted); font-size: 14px; width: fit-content; }
.part-reasoning.live summary::after { content: ""; display: inline-block; width: 7px; height: 7px; margin-left: 6px; border-radius: 50%; background: var(--accent); animation: blink 1s infinite; }
.part-reasoning-text { margin: 4px 0 0 4px; padding-left: 10px; border-left: 2px solid var(--border); color: var(--muted); font-size: 14px; white-space: pre-wrap; overflow-wrap: anywhere; }
.part-tool { display: grid; gap: 6px; min-width: 0; padding: 8px 10px; border: 1px solid var(--border); border-radius: 10px; background: var(--panel); font-size: 14px; }
.part-tool-head { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.part-tool-name { font: 600 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.part-tool-source { color: var(--muted); font-size: 12px; border: 1px solid var(--border); border-radius: 999px; padding: 0 7px; }
.part-tool-status { margin-left: auto; color: var(--muted); font-size: 13px; }
.part-tool-status[data-status="error"], .part-tool-status[data-status="denied"], .part-tool-error { color: var(--danger); }
.part-tool-label { display: block; font-size: 12px; font-weight: 600; color: var(--muted); }
.part-tool-value pre, .markdown .part-tool-value pre { margin: 0; padding: 6px 8px; max-height: 240px; overflow: auto; background: var(--panel-2); border: 1px solid var(--border); border-radius: 8px; font: 12.5px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre; }
.part-tool-error, .part-tool-decision { margin: 0; font-size: 13px; overflow-wrap: anywhere; }
.part-tool-decision { color: var(--muted); }
.part-tool-approval { display: flex; gap: 8px; }
.part-sources-title { margin: 0; font-size: 13px; font-weight: 600; color: var(--muted); }
.part-sources ol { margin: 2px 0 0; padding-left: 22px; font-size: 14px; overflow-wrap: anywhere; }
.composer { position: sticky; bottom: 0; display: flex; gap: 10px; align-items: flex-end; padding: 12px 0 16px; background: var(--bg); }
.composer-fields { flex: 1; display: flex; }
.composer textarea { flex: 1; resize: vertical; min-height: 48px; max-height: 40vh; padding: 10px 12px; border: 1px solid var(--border);
  border-radius: var(--radius); background: var(--panel); }
`;

/**
 * The page script: what htmx itself does not do. Errors (JSON {error: {message}}) are shown in
 * the chat's alert; a signed-out session or a gone chat stops the pollers; a message list the
 * server no longer knows (unknown_last_message) is reloaded whole. The view follows new text
 * while it is scrolled to the bottom. Enter sends, Shift+Enter makes a new line.
 */
const SCRIPT = `
(() => {
  const POLLERS = ".poller, .tokens-poller";
  const isPoller = (elt) => !!elt && elt.matches && elt.matches(POLLERS);
  const alertFor = (elt) => (elt && elt.closest && elt.closest(".chat")?.querySelector(".alert")) || document.getElementById("page-alert");

  function show(box, text, source, link) {
    if (!box) return;
    box.textContent = text;
    if (link) {
      const a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      box.append(" ", a);
    }
    box.dataset.source = source;
    box.hidden = false;
  }
  function clear(box, source) {
    if (box && !box.hidden && (source === "action" || box.dataset.source === source)) {
      box.hidden = true;
      box.textContent = "";
    }
  }
  function readError(ctx) {
    try {
      const e = JSON.parse(ctx.text).error;
      if (e && typeof e.message === "string") return e;
    } catch {}
    return { code: "", message: "The server answered " + ctx.response.status + ". Try again." };
  }
  function resync(poller) {
    const list = poller.parentElement;
    const chat = poller.closest(".chat");
    if (!list || !chat) return;
    list.querySelectorAll(".msg").forEach((m) => m.remove());
    poller.setAttribute("hx-get", "/chat/" + chat.dataset.chatUuid + "/messages");
    poller.dataset.lastUuid = "";
    htmx.process(poller, true);
  }

  document.addEventListener("htmx:response:error", (ev) => {
    const ctx = ev.detail.ctx;
    const elt = ctx.sourceElement;
    const box = alertFor(elt);
    const status = ctx.response.status;
    const err = readError(ctx);
    if (status === 401) {
      document.querySelectorAll(POLLERS).forEach((p) => p.remove());
      const back = location.pathname + location.search;
      show(box, "You are signed out.", "action", { href: "/signin?callbackUrl=" + encodeURIComponent(back), text: "Sign in again" });
    } else if (isPoller(elt)) {
      if (err.code === "unknown_last_message") resync(elt);
      else if (status === 404) { elt.remove(); show(box, err.message, "action"); }
      else show(box, err.message + " Retrying…", "poll");
    } else if (err.code === "not_awaiting_approval") {
      // Someone decided that tool call already: the next poll shows what became of it.
    } else {
      let text = err.message;
      const retry = ctx.response.headers.get("Retry-After");
      if (status === 429 && retry && !/try again/i.test(text)) text += " Try again in " + retry + " s.";
      show(box, text, "action");
    }
  });
  document.addEventListener("htmx:error", (ev) => {
    const ctx = ev.detail.ctx;
    if (!ctx || ctx.response) return; // answered: htmx:response:error (or a swap problem) covers it
    const elt = ctx.sourceElement;
    if (isPoller(elt)) show(alertFor(elt), "Cannot reach the server. Retrying…", "poll");
    else show(alertFor(elt), "Cannot reach the server. Check your connection and try again.", "action");
  });
  document.addEventListener("htmx:after:request", (ev) => {
    const ctx = ev.detail.ctx;
    if (ctx.response && ctx.response.status < 400) clear(alertFor(ctx.sourceElement), isPoller(ctx.sourceElement) ? "poll" : "action");
  });

  // Follow the conversation while the reader is at the bottom.
  let follow = true;
  const atBottom = () => window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 120;
  document.addEventListener("htmx:before:swap", () => { follow = atBottom(); });
  document.addEventListener("htmx:after:swap", (ev) => {
    const source = ev.detail.ctx && ev.detail.ctx.sourceElement;
    if (source && source.id === "new-chat") {
      const chat = document.querySelector("#chat-area .chat");
      if (chat) history.replaceState(null, "", "/lite?chat=" + chat.dataset.chatUuid);
    }
    if (follow) window.scrollTo(0, document.documentElement.scrollHeight);
  });

  document.addEventListener("keydown", (ev) => {
    const t = ev.target;
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && t.matches && t.matches(".composer textarea")) {
      ev.preventDefault();
      t.form.requestSubmit();
    }
  });
})();
`;

export interface LitePageInput {
  user: { email: string | null; name: string | null };
  /** The chat to open (from `?chat=`), with its messages. */
  chat?: { chat: ChatDto; messages: MessageDto[] };
  /** A sentence to show above the chat, e.g. that `?chat=` named no chat of this user. */
  notice?: string;
  /** CSP nonce of the page script. */
  nonce: string;
}

export function litePage({ user, chat, notice, nonce }: LitePageInput): string {
  const who = user.name || user.email || "";
  const body = chat
    ? chatBlock(chat.chat, chat.messages)
    : `<p class="empty">Start a conversation with <strong>New chat</strong>.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PollChat Lite</title>
<link rel="icon" href="/favicon.ico" sizes="any">
<link rel="apple-touch-icon" href="/apple-icon.png">
<link rel="manifest" href="/manifest.webmanifest">
<meta name="htmx-config" content="${escapeHtml(HTMX_CONFIG)}">
<style>${STYLE}</style>
<script nonce="${escapeHtml(nonce)}" src="/lite/htmx.js?v=${encodeURIComponent(HTMX_VERSION)}"></script>
</head>
<body>
<header class="top">
<h1 class="brand"><span class="brand-mark" aria-hidden="true">◆</span>PollChat <small>lite</small></h1>
<button type="button" id="new-chat" class="btn btn-primary" hx-post="/chat/create" hx-target="#chat-area" hx-swap="innerHTML" hx-sync="drop">New chat</button>
<span class="who">${escapeHtml(who)} · <a href="/chat">full app</a></span>
</header>
<main>
<div class="alert" id="page-alert" role="alert"${notice ? "" : " hidden"}>${notice ? escapeHtml(notice) : ""}</div>
<div id="chat-area">${body}</div>
</main>
<script nonce="${escapeHtml(nonce)}">${SCRIPT}</script>
</body>
</html>
`;
}

/** The page's Content-Security-Policy: only our own scripts run, even if some text escaped escaping. */
export function litePageCsp(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
