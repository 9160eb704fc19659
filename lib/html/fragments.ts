/**
 * HTML fragments for htmx clients (DESIGN.md section 5): the same endpoints answer these
 * instead of JSON when the request carries `HX-Request: true`. Every model or user text is
 * escaped: model output is untrusted.
 */
import type { ChatDto, MessageDto, TokensDto } from "../chat/dto";

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function html(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8", ...headers } });
}

const FINAL = new Set(["completed", "failed", "cancelled"]);

/** Polls the chat for messages after the last one it has; replaced (out of band) as the list grows. */
function messagesPoller(chatUuid: string, lastUuid: string | undefined, oob: boolean): string {
  const url = lastUuid ? `/chat/${chatUuid}/messages/${lastUuid}` : `/chat/${chatUuid}/messages`;
  return `<div id="poller-${chatUuid}" class="poller"${oob ? ' hx-swap-oob="true"' : ""} hx-get="${url}" hx-trigger="every 300ms" hx-target="#messages-${chatUuid}" hx-swap="beforeend"></div>`;
}

function tokensPoller(m: { uuid: string; status: string }, position: number, oob: boolean): string {
  if (FINAL.has(m.status)) return oob ? `<span id="tokens-poller-${m.uuid}" hx-swap-oob="true"></span>` : "";
  return `<span id="tokens-poller-${m.uuid}"${oob ? ' hx-swap-oob="true"' : ""} hx-get="/chat/message/${m.uuid}/tokens/${position}" hx-trigger="every 300ms" hx-target="#content-${m.uuid}" hx-swap="beforeend"></span>`;
}

export function messageItem(m: MessageDto): string {
  return `<article class="msg msg-${m.role}" id="msg-${m.uuid}" data-uuid="${m.uuid}" data-status="${m.status}">
  <div class="msg-content" id="content-${m.uuid}">${escapeHtml(m.content)}</div>
  <div class="msg-error" id="error-${m.uuid}">${m.error ? escapeHtml(m.error) : ""}</div>
  ${tokensPoller(m, m.position, false)}
</article>`;
}

export function chatFragment(chat: ChatDto, status: number): Response {
  return html(
    `<section class="chat" id="chat-${chat.uuid}" data-chat-uuid="${chat.uuid}">
  <h2 class="chat-title">${escapeHtml(chat.title || "New chat")}</h2>
  <div class="messages" id="messages-${chat.uuid}" aria-live="polite"></div>
  ${messagesPoller(chat.uuid, undefined, false)}
  <form class="composer" hx-post="/chat/${chat.uuid}/send" hx-target="#messages-${chat.uuid}" hx-swap="none">
    <textarea name="content" required maxlength="32000" placeholder="Message" aria-label="Message"></textarea>
    <button type="submit">Send</button>
  </form>
</section>`,
    status,
  );
}

export function messagesFragment({ messages, chat }: { messages: MessageDto[]; chat: ChatDto }): Response {
  const last = messages.at(-1);
  // No news: an empty answer swaps nothing, and the poller keeps its URL.
  if (!last) return html("", 200);
  return html(messages.map(messageItem).join("\n") + "\n" + messagesPoller(chat.uuid, last.uuid, true));
}

export function messageFragment(m: MessageDto, status: number): Response {
  return html(`<span class="sent" data-uuid="${m.uuid}" data-status="${m.status}"></span>`, status);
}

export function tokensFragment(uuid: string, t: TokensDto): Response {
  const body =
    escapeHtml(t.tokens) +
    tokensPoller({ uuid, status: t.status }, t.position, true) +
    `<span id="error-${uuid}" class="msg-error" hx-swap-oob="true">${t.error ? escapeHtml(t.error) : ""}</span>`;
  // append:false replaces what the client shows.
  return html(body, 200, t.append ? {} : { "HX-Reswap": "innerHTML" });
}
