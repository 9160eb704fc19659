/**
 * Model output is untrusted. The fake model answers with Markdown carrying scripts, event
 * handlers, javascript: links and raw HTML; the React UI and the htmx page (/lite) must show
 * it inert. Every payload would call `window.__pwned` (a Playwright binding) if it ran; it
 * must never be called, the DOM must hold none of the dangerous markup (so the renderer, not
 * only the CSP, stops it), and the console must report no CSP violation.
 */
import { expect, test, type Page } from "@playwright/test";
import { ChatPage } from "./pages/chat-page";
import { LitePage } from "./pages/lite-page";
import { ShareDialog, SharedChatPage } from "./pages/share-page";

const PAYLOAD = [
  "Here you go:",
  "<script>window.__pwned('script')</script>",
  "<img src=x onerror=\"window.__pwned('img')\">",
  "<svg onload=\"window.__pwned('svg')\"><circle r=1></circle></svg>",
  "<iframe src=\"javascript:window.__pwned('iframe')\"></iframe>",
  "<details open ontoggle=\"window.__pwned('details')\">x</details>",
  "<a href=\"javascript:window.__pwned('raw-a')\">raw link</a>",
  "",
  "[click me](javascript:window.__pwned('md-link')) and [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  "",
  "![pic](javascript:window.__pwned('md-img'))",
  "",
  "<b onmouseover=\"window.__pwned('b')\">bold?</b> end of payload",
].join("\n");

/** The payload as the fake model's `text="..."` value (escapes: \n \" \\). */
const directive = `[[fake text="${PAYLOAD.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}" chunk=7 delay=5]]`;

/** Markup that must not appear anywhere on the page (the app's own scripts carry the nonce). */
const DANGEROUS =
  "script:not([nonce]), img[onerror], iframe, details[ontoggle], [onmouseover], [onload], a[href^='javascript:' i], a[href^='data:' i], img[src^='javascript:' i]";
/** Within a message's text, not even an svg (the app's icons are outside it). */
const DANGEROUS_IN_TEXT = `${DANGEROUS}, svg`;

test.describe.configure({ timeout: 60_000 });

/** Records calls of window.__pwned and CSP violations (the page's securitypolicyviolation events). */
async function watch(page: Page): Promise<{ pwned: string[]; violations: string[] }> {
  const seen = { pwned: [] as string[], violations: [] as string[] };
  await page.exposeFunction("__pwned", (what: string) => seen.pwned.push(what));
  await page.exposeFunction("__cspViolation", (what: string) => seen.violations.push(what));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      void (window as unknown as { __cspViolation(what: string): Promise<void> }).__cspViolation(`${e.effectiveDirective} ${e.blockedURI}`);
    });
  });
  return seen;
}

/**
 * The watch itself works: a direct call is seen; and markup that slipped through (an event
 * handler added as HTML, the usual XSS) is stopped by the CSP and reported.
 */
async function expectWatchWorks(page: Page, seen: { pwned: string[]; violations: string[] }): Promise<void> {
  await page.evaluate(() => (window as unknown as { __pwned(what: string): Promise<void> }).__pwned("probe"));
  await page.evaluate(() => document.body.insertAdjacentHTML("beforeend", `<img src="/x-missing.png" onerror="window.__pwned('handler')">`));
  await expect.poll(() => seen.violations.join("\n")).toMatch(/script-src/);
  expect(seen.pwned).toEqual(["probe"]);
}

test("the React UI renders a hostile answer inert, live and after a reload", async ({ page }) => {
  const seen = await watch(page);
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(`Show me ${directive}`);
  const answer = await chat.waitForAnswer();
  const content = chat.contentOf(answer);
  await expect(content).toContainText("end of payload");

  for (const pass of ["live", "reloaded"]) {
    if (pass === "reloaded") {
      await page.reload();
      await expect(chat.contentOf(chat.lastAnswer())).toContainText("end of payload");
    }
    const shown = chat.contentOf(chat.lastAnswer());
    await expect(shown.locator(DANGEROUS_IN_TEXT), pass).toHaveCount(0);
    await expect(page.locator("main").locator(DANGEROUS), pass).toHaveCount(0);
    // The Markdown link stays a link, without its javascript: target.
    const link = shown.getByText("click me");
    await expect(link).toBeVisible();
    expect(await link.getAttribute("href"), pass).not.toMatch(/^\s*(javascript|data):/i);
    await link.click({ modifiers: [] }).catch(() => undefined);
    await shown.getByText("bold?").hover();
  }
  expect(seen.pwned).toEqual([]);
  expect(seen.violations).toEqual([]);
  await expectWatchWorks(page, seen);
});

test("the htmx page (/lite) shows a hostile answer as text", async ({ page }) => {
  const seen = await watch(page);
  const lite = new LitePage(page);
  await lite.signUp();
  await lite.goto();
  await lite.newChat();
  await lite.send(`Show me ${directive}`);
  const answer = lite.assistant(0);
  await answer.expectStatus("completed");

  for (const pass of ["live", "reloaded"]) {
    if (pass === "reloaded") {
      await page.reload();
      await lite.assistant(0).expectStatus("completed");
    }
    const content = lite.assistant(0).content;
    // Escaped, so shown as the characters the model sent.
    await expect(content, pass).toContainText("<script>window.__pwned('script')</script>");
    // Markdown is rendered (on the server): the link with a javascript: target is its text alone.
    await expect(content, pass).toContainText("click me and data");
    await expect(page.locator("#chat-area").locator(DANGEROUS_IN_TEXT), pass).toHaveCount(0);
    await expect(page.locator("#chat-area a"), pass).toHaveCount(0);
  }
  expect(seen.pwned).toEqual([]);
  expect(seen.violations).toEqual([]);
  await expectWatchWorks(page, seen);
});

test("the public share page renders a hostile answer inert, live and server rendered", async ({ page, browser }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(`Show me [[fake text="warming up " repeat=30 chunk=4 delay=40]]`);
  const owner = new ShareDialog(page);
  const link = await owner.share();
  await owner.close();
  await chat.waitForAnswer();

  const visitor = await browser.newContext();
  const vpage = await visitor.newPage();
  const seen = await watch(vpage);
  await vpage.goto(link);
  const shared = new SharedChatPage(vpage);
  // Live: the hostile answer arrives while the visitor watches.
  await chat.send(`Again ${directive}`);
  await expect(shared.answers.last()).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  for (const pass of ["live", "server rendered"]) {
    if (pass === "server rendered") await vpage.reload();
    const shown = shared.contentOf(shared.answers.last());
    await expect(shown, pass).toContainText("end of payload");
    await expect(shown.locator(DANGEROUS_IN_TEXT), pass).toHaveCount(0);
    await expect(vpage.locator("main").locator(DANGEROUS), pass).toHaveCount(0);
    expect(await shown.getByText("click me").getAttribute("href"), pass).not.toMatch(/^\s*(javascript|data):/i);
    await shown.getByText("bold?").hover();
  }
  expect(seen.pwned).toEqual([]);
  expect(seen.violations).toEqual([]);
  await expectWatchWorks(vpage, seen);
  await visitor.close();
});
