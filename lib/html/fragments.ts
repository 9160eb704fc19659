/**
 * HTML fragments for htmx clients (docs/design.md §11): the same endpoints answer these
 * instead of JSON when the request carries `HX-Request: true`. Every model or user text is
 * escaped: model output is untrusted.
 *
 * Written for htmx 4 (htmx.org 4.x); the /lite page (app/lite) is the client. The mechanics:
 *
 * - Pollers replace THEMSELVES (`hx-target` is the poller, `hx-swap="outerHTML"`): an answer
 *   is the new content followed by the next poller, which carries the advanced `last_uuid` or
 *   `position` in its URL. A poller that was replaced or removed meanwhile cannot apply a late
 *   answer (htmx drops a swap whose target left the document), and `hx-sync="drop"` keeps one
 *   request per poller in flight, so nothing is appended twice.
 * - "Nothing new" answers 204, which htmx never swaps: the poller stays as it is.
 * - The messages poller lives at the end of the message list, so the items it brings land
 *   before it, in order. The tokens poller lives at the end of the message's text, so the
 *   tokens it brings are appended to the text; `append:false` retargets the whole text
 *   (`HX-Retarget` + `HX-Reswap: innerHTML`) and replaces it. A final status ends with no
 *   poller (polling stops) and out-of-band updates of the status, error and Stop button.
 * - htmx 4 swaps 4xx/5xx answers by default; errors stay the JSON of docs/design.md §3.1, and
 *   an htmx page sets `noSwap: [204, 304, "4xx", "5xx"]` and shows `error.message` itself
 *   (app/lite does).
 * - An answer is Markdown, rendered here (lib/markdown/html: sanitized, the model's HTML as
 *   text). While it streams, its text arrives as text (appended, as above); its final tokens
 *   answer also carries the whole answer rendered, out of band (`#answer-{uuid}`, which only an
 *   answer has), so it turns into formatted text the moment it ends. A final answer in a
 *   messages answer or the page comes rendered.
 */
import "server-only";
import { uuidv7 } from "../ids";
import { markdownToHtml } from "../markdown/html";
import { hasRichParts, type Part } from "../parts";
import { escapeHtml } from "./escape";
import { partsHtml } from "./parts-html";
import { formatBytes } from "../files/bytes";
import type { ChatDto, MessageDto, TokensDto } from "@/lib/contract";

export { escapeHtml };

function html(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

/** No news: htmx does not swap a 204, so the poller keeps its URL and polls again. */
function noContent(): Response {
  return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
}

/** How often pollers ask (docs/design.md §1). */
export const POLL_INTERVAL = "300ms";

const FINAL = new Set<string>(["completed", "failed", "cancelled"]);

const ROLE_LABEL: Record<MessageDto["role"], string> = { user: "You", assistant: "Assistant", system: "System" };

function statusLabel(role: string, status: string): string {
  switch (status) {
    case "pending":
      return role === "assistant" ? "writing…" : "sending…";
    case "failed":
      return "failed";
    case "cancelled":
      return "stopped";
    default:
      return "";
  }
}

// ------------------------------------------------------------------ pieces

function messagesUrl(chatUuid: string, lastUuid: string | undefined): string {
  return lastUuid ? `/chat/${chatUuid}/messages/${lastUuid}` : `/chat/${chatUuid}/messages`;
}

/** Asks for the messages after the last one shown; sits at the end of the list and replaces itself. */
export function messagesPoller(chatUuid: string, lastUuid: string | undefined): string {
  return `<div class="poller" id="poller-${chatUuid}" data-last-uuid="${lastUuid ?? ""}" hx-get="${messagesUrl(chatUuid, lastUuid)}" hx-trigger="every ${POLL_INTERVAL}" hx-sync="drop" hx-target="this" hx-swap="outerHTML" aria-hidden="true"></div>`;
}

/** Asks for a pending message's text from `position`; sits at the end of the text and replaces itself. */
function tokensPoller(uuid: string, position: number, partsCursor = "0"): string {
  return `<span class="tokens-poller" id="tokens-poller-${uuid}" data-position="${position}" hx-get="/chat/message/${uuid}/tokens/${position}?parts=${encodeURIComponent(partsCursor)}" hx-trigger="every ${POLL_INTERVAL}" hx-sync="drop" hx-target="this" hx-swap="outerHTML swapEmpty:true" aria-hidden="true"></span>`;
}

function statusBadge(uuid: string, role: string, status: string, oob: boolean): string {
  return `<span class="msg-status" id="status-${uuid}" data-status="${escapeHtml(status)}"${oob ? ' hx-swap-oob="true"' : ""}>${escapeHtml(statusLabel(role, status))}</span>`;
}

function actions(uuid: string, role: string, status: string, oob: boolean): string {
  const stop =
    status === "pending" && role === "assistant"
      ? `<button type="button" class="btn btn-small stop" hx-post="/chat/message/${uuid}/cancel" hx-target="#msg-${uuid}" hx-swap="outerHTML">Stop</button>`
      : "";
  return `<span class="msg-actions" id="actions-${uuid}"${oob ? ' hx-swap-oob="true"' : ""}>${stop}</span>`;
}

/**
 * An answer's notes (a file its model was not given whole: docs/design.md §3.13): `#notes-{uuid}`,
 * empty and hidden until it has any, so a tokens answer can fill it out of band.
 */
function notesBlock(uuid: string, notes: string[] | undefined, oob: boolean): string {
  const items = (notes ?? []).map((n) => `<li>${escapeHtml(n)}</li>`).join("");
  return `<ul class="msg-notes" id="notes-${uuid}" aria-label="Notes"${items ? "" : " hidden"}${oob ? ' hx-swap-oob="true"' : ""}>${items}</ul>`;
}

function errorLine(uuid: string, error: string | undefined, oob: boolean): string {
  return `<div class="msg-error" id="error-${uuid}" role="status"${error ? "" : " hidden"}${oob ? ' hx-swap-oob="true"' : ""}>${error ? escapeHtml(error) : ""}</div>`;
}

/** The page's chat title is an <h2>: an answer's headings start at <h3>. */
const ANSWER_TOP_HEADING = 3;

/** Who reads a fragment, as far as its HTML cares. */
export interface ReaderOptions {
  /** May allow or deny an answer's tool calls (a member who may write; not a viewer). */
  canApprove?: boolean;
}

/**
 * "‹ 2/3 ›" on a message with versions (docs/design.md §3.12): each arrow a form posting the
 * neighbouring version to the branch endpoint, whose answer replaces the whole list. A viewer
 * sees where it is, without arrows that would be refused.
 */
function versionSwitcher(m: MessageDto, reader: ReaderOptions): string {
  const versions = m.versions;
  if (!versions || versions.length < 2) return "";
  const at = versions.indexOf(m.uuid);
  const arrow = (to: string | undefined, label: string, name: string) =>
    reader.canApprove
      ? `<form class="version-step" hx-post="/chat/${m.chatUuid}/branch" hx-target="#messages-${m.chatUuid}" hx-swap="innerHTML" hx-sync="drop"><input type="hidden" name="messageUuid" value="${to ?? ""}"><button type="submit" class="btn btn-small" aria-label="${name}"${to ? "" : " disabled"}>${label}</button></form>`
      : "";
  return `<span class="versions" id="versions-${m.uuid}">${arrow(versions[at - 1], "‹", "Previous version")}<span class="version-at">${at + 1}/${versions.length}</span>${arrow(versions[at + 1], "›", "Next version")}</span>`;
}

/**
 * A final answer, rendered: the whole of `#answer-{uuid}` (an out-of-band swap replaces it).
 * With `parts` beyond text, its reasoning, text, tool calls and sources in order.
 */
function renderedAnswer(uuid: string, text: string, status: string, oob: boolean, parts?: MessageDto["parts"], reader: ReaderOptions = {}): string {
  const partial = status !== "completed";
  const html = hasRichParts(parts)
    ? partsHtml(parts, text, { canApprove: reader.canApprove ?? false, messageUuid: uuid, partial, top: ANSWER_TOP_HEADING })
    : markdownToHtml(text, { partial, top: ANSWER_TOP_HEADING });
  return `<div class="answer markdown" id="answer-${uuid}"${oob ? ' hx-swap-oob="true"' : ""}><div class="msg-content" id="content-${uuid}">${html}</div></div>`;
}

/**
 * A pending answer's parts but its text (which streams below them, as text): `#parts-{uuid}`,
 * empty until it has any, so a tokens answer can replace it out of band (`oob`).
 */
export function pendingPartsBlock(uuid: string, parts: MessageDto["parts"], reader: ReaderOptions = {}, oob = false): string {
  const rich = hasRichParts(parts) ? partsHtml(parts.filter((p) => p.type !== "text"), "", { canApprove: reader.canApprove ?? false, messageUuid: uuid }) : "";
  return `<div class="answer-parts" id="parts-${uuid}"${oob ? ' hx-swap-oob="true"' : ""}>${rich}</div>`;
}

/** A user message's files as links (docs/design.md §3.13: each is served inert, images inline). */
function filesList(files: MessageDto["attachments"]): string {
  if (!files?.length) return "";
  const items = files.map((f) => `<li><a href="${escapeHtml(f.url)}" target="_blank" rel="noopener">${escapeHtml(f.name)}</a> <span class="msg-file-size">${escapeHtml(formatBytes(f.size))}</span></li>`);
  return `<ul class="msg-files">${items.join("")}</ul>`;
}

/** One message; a pending one carries its tokens poller (from `position`) and a Stop button. */
export function messageItem(m: MessageDto, reader: ReaderOptions = {}): string {
  const pending = !FINAL.has(m.status);
  const answer = m.role === "assistant";
  const content =
    answer && !pending
      ? renderedAnswer(m.uuid, m.content, m.status, false, m.parts, reader)
      : `<div class="${answer ? "answer" : "text"}" id="${answer ? "answer" : "text"}-${m.uuid}">${answer ? pendingPartsBlock(m.uuid, m.parts, reader) : ""}<div class="msg-content" id="content-${m.uuid}">${escapeHtml(m.content)}${pending ? tokensPoller(m.uuid, m.position, m.partsCursor) : ""}</div></div>`;
  return `<article class="msg msg-${m.role}" id="msg-${m.uuid}" data-uuid="${m.uuid}" data-role="${m.role}">
<div class="msg-meta"><span class="msg-role">${ROLE_LABEL[m.role] ?? escapeHtml(m.role)}</span>${statusBadge(m.uuid, m.role, m.status, false)}${versionSwitcher(m, reader)}${actions(m.uuid, m.role, m.status, false)}</div>
${answer ? notesBlock(m.uuid, m.notes, false) : ""}${content}${filesList(m.attachments)}
${errorLine(m.uuid, m.error, false)}
</article>`;
}

/** A viewer only reads: no Allow or Deny. */
function readerOf(chat: ChatDto): ReaderOptions {
  return { canApprove: chat.role !== "viewer" };
}

function titleText(chat: ChatDto): string {
  return escapeHtml(chat.title.trim() || "New chat");
}

/**
 * The composer's fields: the text, and the uuid the message will be stored under, so that
 * sending the same form again (a retry after a network error) stores it once.
 */
function composerFields(chatUuid: string, oob: boolean): string {
  return `<div class="composer-fields" id="composer-fields-${chatUuid}"${oob ? ' hx-swap-oob="true"' : ""}><input type="hidden" name="uuid" value="${uuidv7()}"><textarea id="input-${chatUuid}" name="content" rows="2" required placeholder="Message… (Enter to send, Shift+Enter for a new line)" aria-label="Message" autofocus></textarea></div>`;
}

/**
 * The chat block: title, message list (with `messages` already shown, if any), the messages
 * poller after them, and the composer. The composer's form swaps nothing (`hx-swap="none"`):
 * the sent message arrives through the poller like any other, so it is shown once.
 */
export function chatBlock(chat: ChatDto, messages: MessageDto[] = []): string {
  return `<section class="chat" id="chat-${chat.uuid}" data-chat-uuid="${chat.uuid}">
<header class="chat-head"><h2 class="chat-title" id="title-${chat.uuid}">${titleText(chat)}</h2></header>
<div class="messages" id="messages-${chat.uuid}" role="log">
${messages.map((m) => messageItem(m, readerOf(chat))).join("\n")}
${messagesPoller(chat.uuid, messages.at(-1)?.uuid)}
</div>
<div class="alert" id="alert-${chat.uuid}" role="alert" hidden></div>
<form class="composer" id="composer-${chat.uuid}" hx-post="/chat/${chat.uuid}/send" hx-swap="none" hx-sync="drop">
${composerFields(chat.uuid, false)}
<button type="submit" class="btn btn-primary">Send</button>
</form>
</section>`;
}

// ------------------------------------------------------------------ answers

/** POST /chat/create: the new chat block. */
export function chatFragment(chat: ChatDto, status: number): Response {
  return html(chatBlock(chat), status);
}

/**
 * GET /chat/{uuid}/messages[/{last_uuid}]: the new messages, then the next poller (which
 * replaces the one that asked), and the chat's title out of band (it is named after the first
 * exchange). Nothing new: 204.
 */
export function messagesFragment({ messages, chat }: { messages: MessageDto[]; chat: ChatDto }): Response {
  const last = messages.at(-1);
  if (!last) return noContent();
  return html(
    messages.map((m) => messageItem(m, readerOf(chat))).join("\n") +
      "\n" +
      messagesPoller(chat.uuid, last.uuid) +
      `<h2 class="chat-title" id="title-${chat.uuid}" hx-swap-oob="true">${titleText(chat)}</h2>`,
    200,
    // The poller's own attributes say this too; the server says it so no page can get it wrong.
    { "HX-Reswap": "outerHTML" },
  );
}

/**
 * POST /chat/{uuid}/branch: the whole list of the active branch and its poller, in place of
 * the list shown (whatever the form's target says).
 */
export function branchFragment({ messages, chat }: { messages: MessageDto[]; chat: ChatDto }): Response {
  return html(messages.map((m) => messageItem(m, readerOf(chat))).join("\n") + "\n" + messagesPoller(chat.uuid, messages.at(-1)?.uuid), 200, {
    "HX-Retarget": `#messages-${chat.uuid}`,
    "HX-Reswap": "innerHTML",
  });
}

/**
 * POST /chat/{uuid}/send and POST /chat/message/{uuid}/cancel: the message. The Stop button
 * (on assistant messages) swaps it over the shown one: the final status, the partial text, no
 * poller. The send form swaps nothing (the message comes with the messages poller, so it is
 * shown once); for a user's message, that is a send (201, or 200 for a replayed uuid), fresh
 * composer fields (empty text, a new uuid) come out of band: the composer is cleared only
 * once the message is stored, and a refused send (409, 429...) leaves the draft in place.
 */
export function messageFragment(m: MessageDto, status: number): Response {
  return html(messageItem(m) + (m.role === "user" ? composerFields(m.chatUuid, true) : ""), status);
}

/**
 * GET /chat/message/{uuid}/tokens/{position}: the new text (escaped) and the next poller,
 * replacing the poller that asked, so the text is appended and the position advances.
 * `append:false` replaces the whole text instead. A final status ends without a poller and
 * updates the status, the error and the Stop button out of band, and with `wholeText` (the
 * answer's whole text) the answer rendered as Markdown. Nothing new: 204.
 */
export function tokensFragment(uuid: string, t: TokensDto, wholeText?: string, parts?: { list: Part[]; changed: boolean; reader: ReaderOptions }): Response {
  const final = FINAL.has(t.status);
  // While pending, parts that changed replace #parts-{uuid} out of band (docs/design.md §3.11).
  const partsChanged = !final && parts?.changed === true;
  if (t.append && t.tokens === "" && !final && !partsChanged) return noContent();
  const cursor = t.parts?.cursor ?? "0";
  let body = escapeHtml(t.tokens) + (final ? "" : tokensPoller(uuid, t.position, cursor));
  if (partsChanged) body += pendingPartsBlock(uuid, parts.list, parts.reader, true);
  // Notes come as the generation starts: out of band whenever the answer has them.
  if (t.notes?.length) body += notesBlock(uuid, t.notes, true);
  if (final) {
    // The role is not known here; a final status has the same label for every role.
    body += statusBadge(uuid, "", t.status, true) + actions(uuid, "", t.status, true) + errorLine(uuid, t.error, true);
    // An answer's whole text, formatted (`#answer-` exists only on answers: a user's message stays text).
    if (wholeText !== undefined) body += renderedAnswer(uuid, wholeText, t.status, true, parts?.list, parts?.reader);
  }
  const headers: Record<string, string> = t.append
    ? { "HX-Reswap": "outerHTML swapEmpty:true" }
    : { "HX-Retarget": `#content-${uuid}`, "HX-Reswap": "innerHTML swapEmpty:true" };
  return html(body, 200, headers);
}
