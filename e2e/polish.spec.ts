/**
 * What a new user tripped on (issue #18), each checked the way they met it: in a real browser,
 * with screenshots at phone (375 px) and desktop width under test-results/screenshots/polish-*,
 * and axe (WCAG 2.2 AA, with heading-order) on every page touched.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { ChatPage, newUser, SCREENSHOT_DIR, slowAnswer } from "./pages/chat-page";
import { DESKTOP, PHONE, expectAccessible } from "./pages/screens";
import { LitePage } from "./pages/lite-page";
import { AdminPage } from "./pages/account-page";
import { ShareDialog, SharedChatPage } from "./pages/share-page";
import { SignUpPage } from "./pages/signup-page";

test.describe.configure({ timeout: 90_000 });

/** Screenshots at phone and desktop width, axe at each; the page is left at desktop width. */
async function look(page: Page, name: string, opts: { axe?: boolean } = {}) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const [label, size] of [["phone", PHONE], ["desktop", DESKTOP]] as const) {
    await page.setViewportSize(size);
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `polish-${name}-${label}.png`) });
    if (opts.axe !== false) await expectAccessible(page, `${name} (${label})`);
  }
}

/** What the person sees of a message right now: its text, and whether raw Markdown shows. */
async function shown(content: Locator) {
  return content.evaluate((el) => (el as HTMLElement).innerText);
}

function expectNoRawMarkdown(text: string) {
  expect(text, text).not.toMatch(/`|\*\*|^_|\s_\S|\]\(/);
}

test("1: an unfinished answer reads as formatted text while it streams and once stopped", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  const sentence = "_Set `OPENAI_API_KEY` or **another key** to use a [real model](https://example.com)._ ";
  await chat.startChat(slowAnswer(sentence, { repeat: 150, chunk: 3, delay: 45 }));
  const content = chat.contentOf(chat.lastAnswer());
  await expect(content).toBeVisible({ timeout: 20_000 });
  // Mid-stream, at whatever character the reveal is: never a backtick, ** or a bare _.
  const seen = new Set<string>();
  for (let i = 0; i < 25; i++) {
    const text = await shown(content);
    seen.add(text);
    expectNoRawMarkdown(text);
    await page.waitForTimeout(60);
  }
  expect(seen.size, "the answer was streaming").toBeGreaterThan(3);
  await expect(content.locator("em code").first()).toHaveText(/^OPENAI/);

  await chat.stopButton.click();
  const answer = await chat.waitForAnswer("cancelled");
  expectNoRawMarkdown(await shown(chat.contentOf(answer)));
  await expect(chat.contentOf(answer).locator("em").first()).toBeVisible();
  await look(page, "stopped-answer");
});

test("2: /lite shows answers as Markdown, formatted on the server, streamed and after a reload", async ({ page }) => {
  const lite = new LitePage(page);
  await lite.signUp();
  await lite.goto();
  const chatUuid = await lite.newChat();
  const md = "### Plan\\n\\n**Bold** and `code`, a [link](https://example.com)\\n\\n- one\\n- two\\n\\n```ts\\nconst x: number = 1;\\n```";
  await lite.send(`[[fake text="${md}" chunk=4 delay=15]]`);
  const answer = lite.assistant(0);
  await answer.expectStatus("completed");
  const check = async (a = lite.assistant(0)) => {
    await expect(a.content.getByRole("heading", { level: 3, name: "Plan" })).toBeVisible();
    await expect(a.content.locator("strong")).toHaveText("Bold");
    await expect(a.content.locator("li")).toHaveText(["one", "two"]);
    await expect(a.content.locator("pre code .hljs-keyword")).toHaveText("const");
    await expect(a.content.getByRole("link", { name: "link" })).toHaveAttribute("rel", "noopener noreferrer nofollow");
    expect(await a.text()).not.toContain("**");
  };
  await check(answer);
  await look(page, "lite-markdown");
  await page.goto(`/lite?chat=${chatUuid}`);
  await check();
});

test("3: a title comes from the question, not from the demo model's disclaimer", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.gotoNew();
  await chat.modelPicker.selectOption({ label: "Demo" });
  await chat.send("Name my cat");
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/, { timeout: 20_000 });
  await chat.waitForAnswer();
  await expect(chat.title).toHaveText("Name My Cat", { timeout: 15_000 });
  await expect(chat.chatLink("Name My Cat")).toBeVisible();
  await look(page, "demo-title");
});

test("4: the chat names its agent and model, with the agent's description on a tap", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(`Hi [[fake text="Hello."]]`, "Code helper");
  await chat.waitForAnswer();
  const badge = page.getByTestId("chat-agent");
  await expect(badge.getByRole("button")).toHaveText(/^Code helper · fake-model/);
  await expect(chat.composer).toHaveAttribute("placeholder", "Message Code helper");
  await badge.getByRole("button").click();
  await expect(badge.getByRole("note")).toContainText("Explains, writes and reviews code");
  await look(page, "agent-header");
  await page.keyboard.press("Escape");
  await expect(badge.getByRole("note")).toBeHidden();
});

test("5: regenerate and edit show the new answer coming at once, even when the server is slow", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(`First question [[fake text="The old answer." delay=5]]`);
  await chat.waitForAnswer();
  const old = chat.lastAnswer();
  const oldUuid = await old.getAttribute("data-message-uuid");

  // The server takes 1.5 s to take the request: the screen must not wait for it.
  await page.route(/\/chat\/[0-9a-f-]{36}\/(regenerate|edit)$/, async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await old.getByRole("button", { name: "Regenerate answer" }).click();
  await expect(page.locator(`[data-message-uuid="${oldUuid}"]`)).toHaveCount(0, { timeout: 300 });
  await expect(page.getByRole("status", { name: "Assistant is typing" })).toBeVisible({ timeout: 300 });
  // And it stays gone while polls go on (they still find it on the server).
  await page.waitForTimeout(900);
  await expect(page.locator(`[data-message-uuid="${oldUuid}"]`)).toHaveCount(0);
  await chat.waitForAnswer();
  await expect(chat.contentOf(chat.lastAnswer())).toHaveText("The old answer.");
  const second = await chat.lastAnswer().getAttribute("data-message-uuid");
  expect(second).not.toBe(oldUuid);

  await chat.questions.first().hover();
  await chat.questions.first().getByRole("button", { name: "Edit message" }).click();
  const box = page.getByRole("textbox", { name: "Edit message" });
  await box.fill(`Edited question [[fake text="The new answer." delay=5]]`);
  await box.press("Enter");
  await expect(page.locator(`[data-message-uuid="${second}"]`)).toHaveCount(0, { timeout: 300 });
  await expect(chat.questions).toHaveCount(1);
  await expect(chat.questions.first()).toContainText("Edited question");
  await page.waitForTimeout(900);
  await expect(page.locator(`[data-message-uuid="${second}"]`)).toHaveCount(0);
  await expect(page.getByText("First question")).toHaveCount(0);
  await chat.waitForAnswer();
  await expect(chat.contentOf(chat.lastAnswer())).toHaveText("The new answer.");
  await look(page, "after-edit");
});

test("6: an invite link opened signed out says who invites to which chat, and offers sign-up first", async ({ page, browser }) => {
  const alice = await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(`Trip plans [[fake text="Let us plan."]]`);
  await chat.waitForAnswer();
  await chat.renameChat((await chat.title.textContent()) ?? "", "Trip plans");
  await page.getByRole("button", { name: "Invite people" }).click();
  const dialog = page.getByRole("dialog", { name: "People in this chat" });
  await dialog.getByRole("button", { name: "Create link" }).click();
  const link = await dialog.getByRole("textbox", { name: /New link/ }).inputValue();

  const context = await browser.newContext();
  const visitor = await context.newPage();
  try {
    await visitor.goto(link);
    await expect(visitor.getByRole("heading", { level: 1 })).toHaveText(`${alice.name} invited you to “Trip plans”`);
    const actions = visitor.locator(".status-actions a");
    await expect(actions).toHaveText(["Create an account", "Sign in"]);
    await look(visitor, "invite-signed-out");
    await actions.first().click();
    await expect(visitor.getByRole("note")).toContainText("join the chat you were invited to");
    await new SignUpPage(visitor).signUp(newUser());
    await expect(visitor).toHaveURL(new URL(link).pathname);
    await expect(visitor.getByRole("heading", { name: "Join “Trip plans”" })).toBeVisible();
  } finally {
    await context.close();
  }
});

test("7: the favicon, the app icons and a web app manifest; the bar's colour follows the theme", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  const ico = await page.request.get("/favicon.ico");
  expect(ico.status()).toBe(200);
  expect(ico.headers()["content-type"]).toMatch(/image\/(x-icon|vnd\.microsoft\.icon)/);
  const manifest = await page.request.get("/manifest.webmanifest");
  expect(manifest.status()).toBe(200);
  const m = (await manifest.json()) as { name: string; display: string; start_url: string; icons: { src: string; sizes: string; purpose?: string }[] };
  expect(m).toMatchObject({ name: "PollChat", display: "standalone", start_url: "/chat" });
  expect(m.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(["192x192", "512x512"]));
  for (const icon of m.icons) {
    const res = await page.request.get(icon.src);
    expect(res.status(), icon.src).toBe(200);
    expect(res.headers()["content-type"]).toBe("image/png");
  }

  await page.emulateMedia({ colorScheme: "light" });
  await ChatPage.signUp(page);
  for (const rel of ["icon", "apple-touch-icon", "manifest"]) {
    const href = await page.locator(`link[rel="${rel}"]`).first().getAttribute("href");
    expect(href, rel).toBeTruthy();
    expect((await page.request.get(href!)).status(), href!).toBe(200);
  }
  const colours = () => page.locator('meta[name="theme-color"]').evaluateAll((els) => els.map((e) => (e as HTMLMetaElement).content));
  expect(await colours()).toEqual(["#f7f7f8", "#0f0f12"]);
  await page.getByRole("button", { name: "Switch to dark theme" }).click();
  expect(await colours()).toEqual(["#0f0f12", "#0f0f12"]);
  await page.reload();
  await expect(page.getByRole("button", { name: "Switch to light theme" })).toBeVisible();
  await expect.poll(colours).toEqual(["#0f0f12", "#0f0f12"]);
  await page.getByRole("button", { name: "Switch to light theme" }).click();
  expect(await colours()).toEqual(["#f7f7f8", "#0f0f12"]);
  await page.goto("/lite");
  expect(errors.filter((e) => /favicon|icon|manifest|404/i.test(e))).toEqual([]);
});

test("8: on a phone, message actions and the chat menu are 44 px targets", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(`Targets [[fake text="An answer to act on."]]`);
  const answer = await chat.waitForAnswer();
  const targets = [
    answer.getByRole("button", { name: "Copy message" }),
    answer.getByRole("button", { name: "Regenerate answer" }),
    chat.questions.first().getByRole("button", { name: "Edit message" }),
    page.getByRole("button", { name: "Open sidebar" }),
  ];
  for (const t of targets) {
    const box = (await t.boundingBox())!;
    expect(box.width, (await t.getAttribute("aria-label")) ?? "").toBeGreaterThanOrEqual(44);
    expect(box.height).toBeGreaterThanOrEqual(44);
  }
  await page.getByRole("button", { name: "Open sidebar" }).click();
  const options = chat.sidebar.getByRole("button", { name: /^Options for / }).first();
  await expect(options).toBeVisible();
  // Measured once the drawer has slid in: mid-transition a box can measure 43.99998 px.
  await expect.poll(async () => (await options.boundingBox())!.width).toBeGreaterThanOrEqual(44);
  await expect.poll(async () => (await options.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  await chat.screenshot("polish-touch-targets-phone");
  await expectAccessible(page, "phone with the sidebar open");
});

test("9: an answer's ### headings keep the page outline valid", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(`Outline [[fake text="### What it is\\n\\nText.\\n\\n### Practical tips\\n\\n##### Deeper\\n\\nMore."]]`);
  const answer = await chat.waitForAnswer();
  const content = chat.contentOf(answer);
  await expect(content.getByRole("heading", { level: 2 })).toHaveText(["What it is", "Practical tips"]);
  await expect(content.getByRole("heading", { level: 3 })).toHaveText("Deeper");
  await look(page, "answer-headings");
});

test("10: the admin page has the account pages' frame, and e-mails break only before the @", async ({ page }) => {
  const long = newUser();
  long.email = `a-very-long-mailbox-name-${long.email}`;
  await ChatPage.signUp(page, long);
  await page.context().clearCookies();
  const admin = await AdminPage.signIn(page);
  await admin.goto(`?q=${encodeURIComponent(long.email)}`);
  const nav = page.getByRole("navigation", { name: "Account" });
  await expect(nav.getByRole("link")).toHaveText(["Usage", "API tokens", "Data", "Admin"]);
  await expect(nav.getByRole("link", { name: "Admin" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("link", { name: "Back to chats" })).toBeVisible();
  const who = admin.row(long.email).locator(".who");
  // Where the e-mail's lines break, by the characters' positions.
  const breaks = () =>
    who.evaluate((el) => {
      const text = el.textContent ?? "";
      const range = document.createRange();
      const tops: number[] = [];
      let i = 0;
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let k = 0; k < node.textContent!.length; k++, i++) {
          range.setStart(node, k);
          range.setEnd(node, k + 1);
          tops.push(Math.round(range.getBoundingClientRect().top));
        }
      }
      const at: string[] = [];
      tops.forEach((t, k) => {
        if (k > 0 && t > tops[k - 1]! + 2) at.push(text.slice(k));
      });
      return at;
    });
  await look(page, "admin");
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    for (const rest of await breaks()) expect(rest.startsWith("@"), `${size.width} px: breaks before "${rest}"`).toBe(true);
  }
  await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Usage" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Admin" })).toBeVisible();
});

test("12: a share made private stops saying it updates", async ({ page, browser }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(`Share me [[fake text="Shared answer."]]`);
  await chat.waitForAnswer();
  const share = new ShareDialog(page);
  const link = await share.share();
  const context = await browser.newContext();
  const reader = await context.newPage();
  try {
    await reader.goto(link);
    const shared = new SharedChatPage(reader);
    await expect(shared.answers).toHaveCount(1);
    await expect(reader.locator(".share-foot")).toContainText("updates as the chat goes on");
    await share.makePrivate();
    await expect(shared.gone).toBeVisible({ timeout: 15_000 });
    await expect(reader.locator(".share-foot")).not.toContainText("updates", { useInnerText: true });
    await expect(reader.locator(".share-foot").getByRole("link", { name: "Start your own chat" })).toBeVisible();
    await look(reader, "share-private");
  } finally {
    await context.close();
  }
});
