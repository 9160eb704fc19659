/**
 * The htmx protocol over real HTTP (docs/design.md §11): with `HX-Request: true` the chat
 * endpoints answer HTML fragments, and following the pollers they carry, the way htmx 4 does
 * (lib/html/fragments.ts), holds a whole conversation. Model output never comes out unescaped.
 */
import { describe, expect, it } from "vitest";
import { anonymous, signUp, type TestClient } from "../support/client.ts";
import { parseDirective, scriptedText } from "../support/fake-openai.ts";
import { json, sleep, type MessageJson } from "../support/chat.ts";
import { markdownToHtml } from "../../lib/markdown/html.ts";
import { sharedBaseUrl } from "../support/context.ts";

const baseUrl = sharedBaseUrl();
const HX = { "HX-Request": "true" };
const expected = (content: string) => scriptedText(parseDirective(content));

// ------------------------------------------------------------------ a tiny htmx in regexes

function unescapeHtml(s: string): string {
  return s.replace(/&(lt|gt|quot|#39|amp);/g, (_m, e: string) => ({ lt: "<", gt: ">", quot: '"', "#39": "'", amp: "&" })[e]!);
}

/** The only elements our fragments are made of: text is escaped, so every `<` opens one of these. */
const OUR_TAGS = new Set(["section", "header", "h2", "div", "article", "span", "button", "form", "textarea", "input"]);
/** What a rendered answer may add: plain formatting (lib/markdown/html), links only to http(s). */
const MARKDOWN_TAGS = new Set(
  "p em strong del code pre ul ol li blockquote h3 h4 h5 h6 table thead tbody tr th td hr br a sup".split(" "),
);

/** Nothing that model or user text could smuggle in: no foreign element, no handler, no javascript: URL. */
function expectNoInjectedMarkup(fragment: string): void {
  for (const m of fragment.matchAll(/<\/?([a-z][a-z0-9-]*)([^>]*)>/gi)) {
    const tag = m[1]!.toLowerCase();
    expect(OUR_TAGS.has(tag) || MARKDOWN_TAGS.has(tag), `unexpected element in a fragment: ${m[0]}`).toBe(true);
    expect(m[2], m[0]).not.toMatch(/\son[a-z]+\s*=/i);
    expect(m[2], m[0]).not.toMatch(/javascript:/i);
    if (tag === "a") expect(m[2], m[0]).toMatch(/^(\s+href="(https?|mailto):[^"]*"( title="[^"]*")? target="_blank" rel="noopener noreferrer nofollow")?$/);
  }
  expect(fragment).not.toMatch(/<(script|img|svg|a|iframe)[\s/>]/i);
}

/** The uuid of the composer's next message, from a send answer (its out-of-band fields). */
function nextComposerUuid(html: string): string {
  return /name="uuid" value="([0-9a-f-]{36})"/.exec(html.slice(html.indexOf("composer-fields")))![1]!;
}

const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/** The first element whose opening tag matches `re` (class or id), as its opening tag. */
function openingTag(html: string, re: RegExp): string | undefined {
  for (const m of html.matchAll(/<[a-z][^>]*>/gi)) if (re.test(m[0])) return m[0];
  return undefined;
}

interface Poller {
  url: string;
  trigger?: string;
  swap?: string;
  sync?: string;
}

function poller(html: string, cls: "poller" | "tokens-poller"): Poller | undefined {
  const tag = openingTag(html, new RegExp(`class="${cls}"`));
  if (!tag) return undefined;
  return { url: attr(tag, "hx-get")!, trigger: attr(tag, "hx-trigger"), swap: attr(tag, "hx-swap"), sync: attr(tag, "hx-sync") };
}

interface Item {
  uuid: string;
  role: string;
  status: string;
  /** The text shown (unescaped), without the poller; for an answer rendered as Markdown, its HTML. */
  text: string;
  /** A final answer comes rendered (its content is HTML from lib/markdown/html). */
  rendered: boolean;
  error: string;
  tokensPoller?: Poller;
}

/** The message items of a fragment, in order. */
function items(html: string): Item[] {
  const out: Item[] = [];
  for (const m of html.matchAll(/<article class="msg[^"]*" id="msg-([0-9a-f-]{36})"[^>]*data-role="(\w+)">([\s\S]*?)<\/article>/g)) {
    const body = m[3]!;
    const content = /<div class="msg-content" id="content-[^"]+">([\s\S]*?)<\/div>/.exec(body)![1]!;
    const rendered = /<div class="answer markdown" id="answer-/.test(body);
    out.push({
      uuid: m[1]!,
      role: m[2]!,
      status: /class="msg-status"[^>]*data-status="(\w+)"/.exec(body)![1]!,
      rendered,
      text: rendered ? content : unescapeHtml(content.replace(/<span class="tokens-poller"[^>]*><\/span>/, "")),
      error: unescapeHtml(/<div class="msg-error"[^>]*>([\s\S]*?)<\/div>/.exec(body)?.[1] ?? ""),
      tokensPoller: poller(content, "tokens-poller"),
    });
  }
  return out;
}

/** The documented JSON error (docs/design.md §3.1), which htmx requests get too. */
function errorOf(body: string): { code: string; message: string } {
  return (JSON.parse(body) as { error: { code: string; message: string } }).error;
}

/** Every fragment the client received, to check them all for injected markup. */
type Seen = string[];

async function hxGet(client: TestClient, path: string, seen: Seen): Promise<Response & { html: string }> {
  const res = await client.get(path, { headers: HX });
  const html = await res.text();
  seen.push(html);
  return Object.assign(res, { html });
}

async function hxPost(client: TestClient, path: string, body: Record<string, string>, seen: Seen): Promise<Response & { html: string }> {
  const res = await client.post(path, body, { form: true, headers: HX });
  const html = await res.text();
  seen.push(html);
  return Object.assign(res, { html });
}

interface ChatView {
  uuid: string;
  poller: Poller;
  items: Map<string, Item>;
  order: string[];
  sendUrl: string;
  /** The uuid the composer would store its next message under. */
  composerUuid: string;
}

async function createChatHx(client: TestClient, seen: Seen, body: Record<string, string> = {}): Promise<ChatView & { html: string }> {
  const res = await hxPost(client, "/chat/create", body, seen);
  expect(res.status, res.html).toBe(201);
  expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  const uuid = /id="chat-([0-9a-f-]{36})"/.exec(res.html)![1]!;
  const form = openingTag(res.html, /class="composer"/)!;
  return {
    html: res.html,
    uuid,
    poller: poller(res.html, "poller")!,
    items: new Map(),
    order: [],
    sendUrl: attr(form, "hx-post")!,
    composerUuid: /name="uuid" value="([0-9a-f-]{36})"/.exec(res.html)![1]!,
  };
}

/** One tick of the messages poller: new items land before it and it replaces itself. */
async function pollMessages(client: TestClient, view: ChatView, seen: Seen): Promise<Item[]> {
  const res = await hxGet(client, view.poller.url, seen);
  if (res.status === 204) {
    expect(res.html).toBe("");
    return [];
  }
  expect(res.status, res.html).toBe(200);
  expect(res.headers.get("hx-reswap")).toMatch(/^outerHTML/);
  const next = poller(res.html, "poller");
  expect(next, "a messages answer carries the next poller").toBeDefined();
  view.poller = next!;
  const got = items(res.html);
  for (const it of got) {
    expect(view.items.has(it.uuid), `message ${it.uuid} arrived twice`).toBe(false);
    view.items.set(it.uuid, it);
    view.order.push(it.uuid);
  }
  expect(next!.url).toBe(`/chat/${view.uuid}/messages/${got.at(-1)!.uuid}`);
  return got;
}

interface TokensRun {
  text: string;
  /** The answer rendered, as the final tokens answer brings it out of band. */
  rendered?: string;
  status: string;
  error: string;
  polls: number;
  replacements: number;
}

/** Follows a message's tokens poller to its end, applying answers the way htmx swaps them. */
async function followTokens(client: TestClient, item: Item, seen: Seen, opts: { timeoutMs?: number; stopWhen?: (r: TokensRun) => boolean } = {}): Promise<TokensRun> {
  const run: TokensRun = { text: item.rendered ? "" : item.text, status: item.status, error: item.error, polls: 0, replacements: 0 };
  // An answer that was final when it arrived came rendered: its text, read the way a poller would.
  let next = item.rendered ? { url: `/chat/message/${item.uuid}/tokens/0`, trigger: "every 300ms" } : item.tokensPoller;
  const end = Date.now() + (opts.timeoutMs ?? 30_000);
  while (next) {
    expect(next.trigger).toBe("every 300ms");
    const res = await hxGet(client, next.url, seen);
    run.polls++;
    if (res.status === 204) {
      // Nothing new: the poller stays.
      expect(res.html).toBe("");
    } else {
      expect(res.status, res.html).toBe(200);
      const oob = (id: string) => new RegExp(`<[a-z]+ [^>]*id="${id}-${item.uuid}"[^>]*hx-swap-oob="true"[^>]*>([\\s\\S]*?)</`).exec(res.html);
      // The text is what comes before the first tag (the next poller or the out-of-band updates).
      const lt = res.html.indexOf("<");
      const text = unescapeHtml(lt === -1 ? res.html : res.html.slice(0, lt));
      if (res.headers.get("hx-retarget")) {
        expect(res.headers.get("hx-retarget")).toBe(`#content-${item.uuid}`);
        expect(res.headers.get("hx-reswap")).toMatch(/^innerHTML swapEmpty:true$/);
        run.text = text;
        run.replacements++;
      } else {
        expect(res.headers.get("hx-reswap")).toBe("outerHTML swapEmpty:true");
        run.text += text;
      }
      next = poller(res.html, "tokens-poller");
      if (next) {
        // The poller carries the answer's parts cursor too (docs/design.md §3.11).
        expect(Number(/\/tokens\/(\d+)\?parts=[0-9A-Za-z._-]+$/.exec(next.url)![1])).toBe([...run.text].length);
      } else {
        run.status = /data-status="(\w+)"/.exec(oob("status")?.[0] ?? "")?.[1] ?? "?";
        run.error = unescapeHtml(oob("error")?.[1] ?? "");
        // The Stop button goes with the end.
        expect(oob("actions")?.[1]).toBe("");
        // An answer turns into formatted text: the whole answer, rendered, replaces the streamed text.
        const answer = new RegExp(`<div class="answer markdown" id="answer-${item.uuid}" hx-swap-oob="true"><div class="msg-content" id="content-${item.uuid}">([\\s\\S]*)</div></div>$`).exec(res.html);
        if (item.role === "assistant") {
          expect(answer, res.html).not.toBeNull();
          run.rendered = answer![1]!;
          if (item.rendered) expect(run.rendered).toBe(item.text);
          expect(run.rendered).toBe(markdownToHtml(run.text, { partial: run.status !== "completed", top: 3 }));
        }
      }
    }
    if (!next || opts.stopWhen?.(run)) break;
    if (Date.now() > end) throw new Error(`message ${item.uuid} still pending after ${opts.timeoutMs ?? 30_000} ms`);
    await sleep(50);
  }
  return run;
}

/** Polls messages until `what` shows up. */
async function waitForItem(client: TestClient, view: ChatView, seen: Seen, what: (i: Item) => boolean, timeoutMs = 20_000): Promise<Item> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    await pollMessages(client, view, seen);
    const found = [...view.items.values()].find(what);
    if (found) return found;
    if (Date.now() > end) throw new Error("Timed out waiting for a message");
    await sleep(50);
  }
}

/** Sends from the composer and follows the answer to its end, like the page does. */
async function exchangeHx(client: TestClient, view: ChatView, content: string, seen: Seen) {
  const sent = await hxPost(client, view.sendUrl, { content, uuid: view.composerUuid }, seen);
  expect(sent.status, sent.html).toBe(201);
  // The answer clears the composer out of band, with a new uuid for the next message.
  const fields = /<div class="composer-fields" id="composer-fields-([0-9a-f-]{36})" hx-swap-oob="true">([\s\S]*?)<\/div>/.exec(sent.html);
  expect(fields?.[1]).toBe(view.uuid);
  expect(fields![2]).toMatch(/<textarea [^>]*name="content"[^>]*><\/textarea>/);
  const nextUuid = /name="uuid" value="([0-9a-f-]{36})"/.exec(fields![2]!)![1]!;
  expect(nextUuid).not.toBe(view.composerUuid);
  const userUuid = view.composerUuid;
  view.composerUuid = nextUuid;
  expect(items(sent.html)[0]).toMatchObject({ uuid: userUuid, role: "user", text: content });

  const user = await waitForItem(client, view, seen, (i) => i.uuid === userUuid);
  expect(user.text).toBe(content);
  const answer = await waitForItem(client, view, seen, (i) => i.role === "assistant" && view.order.indexOf(i.uuid) > view.order.indexOf(userUuid));
  const run = await followTokens(client, answer, seen);
  return { userUuid, answer, run };
}

async function storedMessages(client: TestClient, chatUuid: string): Promise<MessageJson[]> {
  return (await json<{ messages: MessageJson[] }>(await client.get(`/chat/${chatUuid}/messages`), 200)).messages;
}

// ------------------------------------------------------------------ the tests

describe("htmx fragments", () => {
  it("create answers the chat block: title, list, a messages poller every 300 ms, a composer posting a form", async () => {
    const client = await signUp(baseUrl);
    const seen: Seen = [];
    const view = await createChatHx(client, seen, { title: "<b>Bold</b> & co" });
    expect(view.html).toContain(`<h2 class="chat-title" id="title-${view.uuid}">&lt;b&gt;Bold&lt;/b&gt; &amp; co</h2>`);
    expect(view.html).toContain(`id="messages-${view.uuid}"`);
    expect(view.poller).toEqual({ url: `/chat/${view.uuid}/messages`, trigger: "every 300ms", swap: "outerHTML", sync: "drop" });
    expect(view.sendUrl).toBe(`/chat/${view.uuid}/send`);
    const form = openingTag(view.html, /class="composer"/)!;
    // The sent message comes with the poller, not with the send answer.
    expect(attr(form, "hx-swap")).toBe("none");
    expect(attr(form, "hx-encoding")).toBeUndefined();
    // The chat exists for the JSON API too.
    expect((await json<{ chat: { uuid: string } }>(await client.post("/chat/create", { uuid: view.uuid }), 200)).chat.uuid).toBe(view.uuid);
    // Nothing yet: 204, which htmx does not swap.
    expect((await hxGet(client, view.poller.url, seen)).status).toBe(204);
    seen.forEach(expectNoInjectedMarkup);
  });

  it("holds a conversation: send, poll messages, follow tokens; the fragments add up to the stored answer", async () => {
    const client = await signUp(baseUrl);
    const seen: Seen = [];
    const view = await createChatHx(client, seen);
    const first = '[[fake text="Polling, not streaming: every request is short. " repeat=12 chunk=6 delay=10]]';
    const a = await exchangeHx(client, view, first, seen);
    expect(a.run.status).toBe("completed");
    // (How many token polls it took depends on timing: a slow poll may find the answer done.)
    expect(a.run.text).toBe(expected(first));

    const second = '[[fake text="Second answer, with <tags> & \\"quotes\\" kept as text." chunk=3 delay=2]]';
    const b = await exchangeHx(client, view, second, seen);
    expect(b.run.status).toBe("completed");
    expect(b.run.text).toBe(expected(second));

    const stored = await storedMessages(client, view.uuid);
    expect(stored.map((m) => [m.uuid, m.role, m.status])).toEqual([
      [a.userUuid, "user", "completed"],
      [a.answer.uuid, "assistant", "completed"],
      [b.userUuid, "user", "completed"],
      [b.answer.uuid, "assistant", "completed"],
    ]);
    expect(stored[1]!.content).toBe(a.run.text);
    expect(stored[3]!.content).toBe(b.run.text);
    // Every message was shown once, in order.
    expect(view.order).toEqual(stored.map((m) => m.uuid));
    seen.forEach(expectNoInjectedMarkup);
  });

  it("never lets model output out unescaped: <script>, <img onerror>, javascript: links stay text", async () => {
    const client = await signUp(baseUrl);
    const seen: Seen = [];
    const view = await createChatHx(client, seen);
    const payload = '[[fake text="<script>alert(1)</script><img src=x onerror=alert(1)>" chunk=4 delay=3]]';
    const { run, answer } = await exchangeHx(client, view, payload, seen);
    expect(run.status).toBe("completed");
    expect(run.text).toBe("<script>alert(1)</script><img src=x onerror=alert(1)>");

    const link = '[[fake text="<a href=\\"javascript:alert(1)\\">click</a> and <svg/onload=alert(1)>" chunk=2 delay=2]]';
    const second = await exchangeHx(client, view, link, seen);
    expect(second.run.text).toBe(expected(link));

    // A client joining later gets the whole list at once: escaped too.
    const all = await hxGet(client, `/chat/${view.uuid}/messages`, seen);
    expect(all.status).toBe(200);
    expect(all.html).toContain("&#x3C;script>alert(1)&#x3C;/script>&#x3C;img src=x onerror=alert(1)>");
    expect(items(all.html).find((i) => i.uuid === answer.uuid)?.text).toBe(markdownToHtml(run.text, { top: 3 }));
    // As does one that asks for the text again from a position past its end (append:false).
    const whole = await hxGet(client, `/chat/message/${answer.uuid}/tokens/100000`, seen);
    expect(whole.headers.get("hx-retarget")).toBe(`#content-${answer.uuid}`);
    expect(unescapeHtml(whole.html.slice(0, whole.html.indexOf("<")))).toBe(run.text);
    // The /lite page that opens this chat, too.
    const page = await client.get(`/lite?chat=${view.uuid}`);
    const pageHtml = await page.text();
    expect(page.status).toBe(200);
    expect(pageHtml).toContain("&#x3C;script>alert(1)&#x3C;/script>");
    expect(pageHtml.match(/<script/g)).toHaveLength(2); // htmx and the page script, nothing else
    expect(pageHtml).not.toMatch(/<(img|svg)[\s/>]|<a [^>]*href="javascript:/i);
    seen.forEach(expectNoInjectedMarkup);
  });

  it("a message that is still generating carries a tokens poller and a Stop button; Stop answers the message, stopped", async () => {
    const client = await signUp(baseUrl);
    const seen: Seen = [];
    const view = await createChatHx(client, seen);
    const slow = '[[fake text="slow words " repeat=400 chunk=4 delay=40]]';
    const sent = await hxPost(client, view.sendUrl, { content: slow, uuid: view.composerUuid }, seen);
    expect(sent.status).toBe(201);
    view.composerUuid = nextComposerUuid(sent.html);
    const answer = await waitForItem(client, view, seen, (i) => i.role === "assistant");
    expect(answer.status).toBe("pending");
    expect(answer.tokensPoller?.url).toBe(`/chat/message/${answer.uuid}/tokens/${[...answer.text].length}?parts=0`);
    expect(answer.tokensPoller).toMatchObject({ trigger: "every 300ms", swap: "outerHTML swapEmpty:true", sync: "drop" });
    const stop = openingTag(seen.at(-1)!, new RegExp(`hx-post="/chat/message/${answer.uuid}/cancel"`));
    expect(stop).toBeDefined();
    expect(attr(stop!, "hx-target")).toBe(`#msg-${answer.uuid}`);
    expect(attr(stop!, "hx-swap")).toBe("outerHTML");

    const partial = await followTokens(client, answer, seen, { stopWhen: (r) => r.text.length > 20 });
    expect(partial.status).toBe("pending");

    // While it generates, another send is refused with a readable JSON error (htmx 4 would
    // swap it: the page does not, and shows error.message).
    const refused = await hxPost(client, view.sendUrl, { content: "too soon", uuid: view.composerUuid }, seen);
    expect(refused.status).toBe(409);
    expect(errorOf(refused.html)).toMatchObject({ code: "generation_in_progress" });
    expect(errorOf(refused.html).message).toMatch(/still being generated/);

    const cancelled = await hxPost(client, `/chat/message/${answer.uuid}/cancel`, {}, seen);
    expect(cancelled.status).toBe(200);
    const [item] = items(cancelled.html);
    expect(item).toMatchObject({ uuid: answer.uuid, role: "assistant", status: "cancelled" });
    expect(item!.tokensPoller).toBeUndefined();
    expect(cancelled.html).not.toContain("/cancel");
    // Cancelling keeps the partial text (rendered: the answer is final) and touches nothing else on the page.
    expect(cancelled.html).not.toContain("composer-fields");
    const stored = (await storedMessages(client, view.uuid)).find((m) => m.uuid === answer.uuid)!;
    expect(stored.status).toBe("cancelled");
    expect(stored.content.startsWith(partial.text)).toBe(true);
    expect(item!.rendered).toBe(true);
    expect(item!.text).toBe(markdownToHtml(stored.content, { partial: true, top: 3 }));

    // A poller that was still out there learns the end, and stops.
    const late = await followTokens(client, { ...answer, text: partial.text, tokensPoller: { url: `/chat/message/${answer.uuid}/tokens/${[...partial.text].length}`, trigger: "every 300ms" } }, seen);
    expect(late).toMatchObject({ status: "cancelled", text: stored.content });

    // And the chat takes the next message.
    const next = await exchangeHx(client, view, '[[fake text="After the stop."]]', seen);
    expect(next.run).toMatchObject({ status: "completed", text: "After the stop." });
    seen.forEach(expectNoInjectedMarkup);
  });

  it("an answer is Markdown: streamed as text, then formatted (bold, lists, highlighted code, headings under the chat's h2)", async () => {
    const client = await signUp(baseUrl);
    const seen: Seen = [];
    const view = await createChatHx(client, seen);
    const md = "### Plan\\n\\n**Bold** and `code`\\n\\n- one\\n- two\\n\\n```ts\\nconst x = 1;\\n```";
    const { run, answer } = await exchangeHx(client, view, `[[fake text="${md}" chunk=5 delay=5]]`, seen);
    expect(run.status).toBe("completed");
    expect(run.rendered).toContain('<h3 class="md-h3">Plan</h3>');
    expect(run.rendered).toContain("<strong>Bold</strong> and <code>code</code>");
    expect(run.rendered).toMatch(/<ul>\s*<li>one<\/li>/);
    expect(run.rendered).toContain('<span class="hljs-keyword">const</span>');
    // Later readers (the messages list, the /lite page) get it formatted at once.
    const all = await hxGet(client, `/chat/${view.uuid}/messages`, seen);
    const item = items(all.html).find((i) => i.uuid === answer.uuid)!;
    expect(item).toMatchObject({ rendered: true, text: run.rendered });
    expect(await (await client.get(`/lite?chat=${view.uuid}`)).text()).toContain(run.rendered!);
    // A user's message stays text, as written.
    const userItem = items(all.html).find((i) => i.role === "user")!;
    expect(userItem.rendered).toBe(false);
    expect(userItem.text).toContain("[[fake");
    seen.forEach(expectNoInjectedMarkup);
  });

  it("a failed answer ends its poller with the error, escaped", async () => {
    const client = await signUp(baseUrl);
    const seen: Seen = [];
    const view = await createChatHx(client, seen);
    const { run } = await exchangeHx(client, view, "[[fake status=400]]", seen);
    expect(run.status).toBe("failed");
    expect(run.error.length).toBeGreaterThan(10);
    const stored = await storedMessages(client, view.uuid);
    expect(run.error).toBe(stored.at(-1)!.error);
    seen.forEach(expectNoInjectedMarkup);
  });

  it("replaying the composer's uuid stores the message once", async () => {
    const client = await signUp(baseUrl);
    const seen: Seen = [];
    const view = await createChatHx(client, seen);
    const uuid = view.composerUuid;
    const first = await hxPost(client, view.sendUrl, { content: "once", uuid }, seen);
    const again = await hxPost(client, view.sendUrl, { content: "once", uuid }, seen);
    expect([first.status, again.status]).toEqual([201, 200]);
    // A replay clears the composer too: the message is stored.
    expect(again.html).toContain('hx-swap-oob="true"');
    const stored = await storedMessages(client, view.uuid);
    expect(stored.filter((m) => m.role === "user").map((m) => m.uuid)).toEqual([uuid]);
  });

  it("errors stay JSON with a readable message: unknown last message, bad input, not signed in", async () => {
    const client = await signUp(baseUrl);
    const seen: Seen = [];
    const view = await createChatHx(client, seen);
    const unknown = await hxGet(client, `/chat/${view.uuid}/messages/0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3d`, seen);
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown.html).code).toBe("unknown_last_message");
    const empty = await hxPost(client, view.sendUrl, { content: "   " }, seen);
    expect(empty.status).toBe(400);
    expect(errorOf(empty.html).message).toMatch(/empty/i);
    const nobody = await anonymous(baseUrl).get(`/chat/${view.uuid}/messages`, { headers: HX });
    expect(nobody.status).toBe(401);
    expect(((await nobody.json()) as { error: { message: string } }).error.message).toMatch(/sign in/i);
  });
});

describe("/lite", () => {
  it("sends a signed-out visitor to sign in, and back", async () => {
    const res = await anonymous(baseUrl).get("/lite?chat=0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3d");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe(`/signin?callbackUrl=${encodeURIComponent("/lite?chat=0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3d")}`);
  });

  it("is a plain HTML page with htmx, its config and a strict CSP, and no React", async () => {
    const client = await signUp(baseUrl);
    const res = await client.get("/lite");
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html).toMatch(/<script nonce="[^"]+" src="\/lite\/htmx\.js\?v=4\.\d+\.\d+"><\/script>/);
    expect(html).toContain('hx-post="/chat/create"');
    expect(unescapeHtml(/<meta name="htmx-config" content="([^"]*)">/.exec(html)![1]!)).toContain('"noSwap":[204,304,"4xx","5xx"]');
    expect(html).not.toMatch(/_next\/static|react/i);
    const csp = res.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).toContain(`<script nonce="${nonce}" src="/lite/htmx.js`);
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'(;|$)/);

    const js = await client.get(/src="([^"]+htmx\.js[^"]*)"/.exec(html)![1]!);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/javascript/);
    expect(js.headers.get("cache-control")).toContain("max-age=31536000");
    expect(await js.text()).toContain("htmx");
  });

  it("opens one of the user's chats by ?chat=, and not someone else's", async () => {
    const owner = await signUp(baseUrl);
    const seen: Seen = [];
    const view = await createChatHx(owner, seen, { title: "Mine" });
    await exchangeHx(owner, view, '[[fake text="Resumable."]]', seen);
    const page = await (await owner.get(`/lite?chat=${view.uuid}`)).text();
    expect(page).toContain(`id="chat-${view.uuid}"`);
    expect(page).toContain("Resumable.");
    // The poller continues after the last message shown.
    const last = (await storedMessages(owner, view.uuid)).at(-1)!;
    expect(poller(page, "poller")?.url).toBe(`/chat/${view.uuid}/messages/${last.uuid}`);

    const other = await signUp(baseUrl);
    const theirs = await (await other.get(`/lite?chat=${view.uuid}`)).text();
    expect(theirs).not.toContain(`chat-${view.uuid}`);
    expect(theirs).toContain("That chat was not found");
    const garbage = await (await other.get(`/lite?chat=not-a-uuid`)).text();
    expect(garbage).toContain("does not name a chat");
  });
});
