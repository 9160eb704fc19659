/**
 * The chat UI against the built app: agents, streaming by polling, reloads, two tabs, stop,
 * regenerate, edit, the sidebar, models, themes, phones, offline. Answers come from the fake
 * OpenAI-compatible model (the default model of the test server), steered by directives in
 * the message (test/support/fake-openai.ts); the built-in demo model is `demo`.
 */
import { expect, test } from "@playwright/test";
import { ChatPage, slowAnswer } from "./pages/chat-page";

test.describe.configure({ timeout: 60_000 });

const count = (text: string, word: string) => text.split(word).length - 1;

test("start a chat with an agent, watch the answer stream in as Markdown and complete", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const user = await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await expect(page.getByTestId("signed-in-as")).toHaveText(`Signed in as ${user.email}`);
  await expect(page.getByRole("radio", { name: /^Assistant/ })).toHaveAttribute("aria-checked", "true");

  await chat.startChat(`Hello [[fake text="Ready when you are."]]`, "Code helper");
  await expect(chat.questions.first()).toContainText("Hello");
  // The Code helper greets first; then comes the answer.
  await expect(chat.answers.first()).toContainText("Paste some code");
  await chat.waitForAnswer();
  await expect(chat.answers).toHaveCount(2);

  // Before the first token: a typing indicator. The page's polls are held until it shows, so
  // no token can reach the page first, however slow the machine (no race with the model).
  const md = "# Plan\\n\\n- first\\n- second\\n\\n| a | b |\\n|---|---|\\n| 1 | 2 |\\n\\n```js\\nconst answer = 42;\\n```\\n\\nDone streaming.";
  const release = await chat.holdPolls();
  await chat.send(`Give me a plan [[fake text="${md}" chunk=3 delay=200]]`);
  await expect(page.getByRole("status", { name: "Assistant is typing" })).toBeVisible();
  await expect(chat.answers).toHaveCount(2);
  await release();
  await expect(chat.answers).toHaveCount(3);
  const answer = chat.lastAnswer();
  // While it streams: pending, text growing, the stop button offered.
  await expect(answer).toHaveAttribute("data-status", "pending");
  await expect(chat.stopButton).toBeVisible();
  await expect(chat.contentOf(answer)).toContainText("Plan");
  await chat.waitForAnswer();
  await expect(chat.sendButton).toBeVisible();

  const content = chat.contentOf(answer);
  await expect(content.getByRole("heading", { name: "Plan" })).toBeVisible();
  await expect(content.getByRole("listitem")).toHaveText(["first", "second"]);
  await expect(content.getByRole("table")).toBeVisible();
  await expect(content.locator("pre code.language-js .hljs-keyword")).toHaveText("const");
  await expect(content.getByRole("button", { name: "Copy code" })).toBeVisible();
  await expect(content).toContainText("Done streaming.");
  await answer.getByRole("button", { name: "Copy message" }).click();
  await expect(answer.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain("```js\nconst answer = 42;\n```");

  // The chat is in the sidebar, under Today, and the answer was announced to screen readers.
  await expect(chat.sidebar.getByRole("heading", { name: "Today" })).toBeVisible();
  await expect(chat.chatItems()).toHaveCount(1);
  await expect(page.getByTestId("answer-announcer")).toContainText("Answer complete");
});

test("a reload mid-answer shows the text so far at once, then the rest, nothing doubled", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  const uuid = await chat.startChat(slowAnswer("Tok ", { repeat: 120, chunk: 4, delay: 80 }));
  const answer = chat.lastAnswer();
  await expect(chat.contentOf(answer)).toContainText("Tok Tok Tok Tok Tok");
  await expect(answer).toHaveAttribute("data-status", "pending");

  const res = await page.reload();
  // Server rendered: the answer so far is in the HTML itself.
  expect(count((await res!.text()) ?? "", "Tok")).toBeGreaterThan(4);
  await expect(chat.contentOf(chat.lastAnswer())).toContainText("Tok Tok Tok");
  await chat.waitForAnswer();

  const stored = (await chat.storedMessages(uuid)).filter((m) => m.role === "assistant").at(-1)!;
  expect(count(stored.content, "Tok")).toBe(120);
  const shown = await chat.contentOf(chat.lastAnswer()).innerText();
  expect(shown.replace(/\s+/g, " ").trim()).toBe(stored.content.replace(/\s+/g, " ").trim());
});

test("two browsers of the same user see each other's messages streaming", async ({ page, browser }) => {
  const user = await ChatPage.signUp(page);
  const a = new ChatPage(page);
  const uuid = await a.startChat(`Hello [[fake text="first answer"]]`);
  await a.waitForAnswer();

  const other = await ChatPage.signInElsewhere(browser, user);
  const b = new ChatPage(other.page);
  // The chat shows up in the other browser's sidebar; open it there.
  await b.chatItems().first().locator(".chat-link").click();
  await expect(other.page).toHaveURL(new RegExp(`/chat/${uuid}$`));
  await expect(b.answers).toHaveCount(1);

  await a.send(`From A ${slowAnswer("Shared ", { repeat: 60, chunk: 6, delay: 100 })}`);
  await expect(b.questions.last()).toContainText("From A");
  // B sees it streaming, not just the end.
  await expect(b.answers).toHaveCount(2);
  await expect(b.lastAnswer()).toHaveAttribute("data-status", "pending");
  await expect(b.contentOf(b.lastAnswer())).toContainText("Shared Shared");
  await b.waitForAnswer();
  await a.waitForAnswer();
  const textA = await a.contentOf(a.lastAnswer()).innerText();
  const textB = await b.contentOf(b.lastAnswer()).innerText();
  expect(textB).toBe(textA);
  expect(count(textB, "Shared")).toBe(60);

  // A chat started in B appears in A's sidebar within about a second.
  await b.startChat(`Another one [[fake text="ok"]]`);
  await expect(a.chatItems()).toHaveCount(2, { timeout: 5_000 });
  await other.context.close();
});

test("auto-scroll follows the answer until the person scrolls up; jump to latest", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(slowAnswer("Line of text\\n\\n", { repeat: 200, chunk: 14, delay: 40 }));
  const scroller = page.locator(".messages-scroll");
  const distanceToBottom = () => scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
  // A 200-line answer streams for about 8 s: the cap leaves a busy machine time to render it.
  await expect.poll(() => scroller.evaluate((el) => el.scrollHeight > el.clientHeight * 1.5), { timeout: 45_000 }).toBe(true);
  // Pinned to the bottom while it grows (give or take the line that just arrived).
  await expect.poll(distanceToBottom).toBeLessThan(120);
  const jump = page.getByRole("button", { name: "Jump to latest" });
  await expect(jump).toBeHidden();

  await scroller.hover();
  await page.mouse.wheel(0, -600);
  await expect(jump).toBeVisible();
  await page.waitForTimeout(800);
  expect(await distanceToBottom()).toBeGreaterThan(200);
  await jump.click();
  await expect(jump).toBeHidden();
  await chat.waitForAnswer("completed", 30_000);
  await expect.poll(distanceToBottom).toBeLessThan(60);
});

test("stop keeps the partial answer; Escape stops too", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(slowAnswer("Long ", { repeat: 400, chunk: 5, delay: 50 }));
  await expect(chat.contentOf(chat.lastAnswer())).toContainText("Long Long Long");
  await chat.stopButton.click();
  const answer = await chat.waitForAnswer("cancelled");
  await expect(answer.getByText("Stopped")).toBeVisible();
  const partial = await chat.contentOf(answer).innerText();
  expect(count(partial, "Long")).toBeGreaterThan(2);
  expect(count(partial, "Long")).toBeLessThan(400);
  await expect(chat.sendButton).toBeVisible();

  await chat.send(slowAnswer("More ", { repeat: 400, chunk: 5, delay: 50 }));
  await expect(chat.contentOf(chat.lastAnswer())).toContainText("More More");
  await chat.composer.press("Escape");
  await chat.waitForAnswer("cancelled");
});

test("regenerate the last answer, and retry a failed one", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(`Tell me [[fake text="Same words again"]]`);
  const first = await chat.waitForAnswer();
  const firstUuid = await first.getAttribute("data-message-uuid");
  await chat.lastAnswer().getByRole("button", { name: "Regenerate answer" }).click();
  await expect(chat.lastAnswer()).not.toHaveAttribute("data-message-uuid", firstUuid!);
  await chat.waitForAnswer();
  await expect(chat.answers).toHaveCount(1);
  await expect(chat.questions).toHaveCount(1);
  await expect(chat.contentOf(chat.lastAnswer())).toHaveText("Same words again");

  // A model error: the reason and a Retry button, which answers again.
  // fail_times counts per directive on the fake server: make this one unique to the run.
  const recovered = `Recovered answer ${Date.now().toString(36)}`;
  await chat.send(`Break [[fake status=500 fail_times=3 text="${recovered}"]]`);
  const failed = await chat.waitForAnswer("failed");
  await expect(failed.getByRole("alert")).not.toBeEmpty();
  await failed.getByRole("button", { name: "Retry" }).click();
  await chat.waitForAnswer();
  await expect(chat.contentOf(chat.lastAnswer())).toHaveText(recovered);
  await expect(chat.answers).toHaveCount(2);
});

test("edit a question and resend it", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(`Original question [[fake text="Answer one"]]`);
  await chat.waitForAnswer();
  await chat.send(`Second question [[fake text="Answer two"]]`);
  await expect(chat.answers).toHaveCount(2);
  await chat.waitForAnswer();

  const firstQuestion = chat.questions.first();
  await firstQuestion.hover();
  await firstQuestion.getByRole("button", { name: "Edit message" }).click();
  const box = page.getByRole("textbox", { name: "Edit message" });
  await box.fill(`Edited question [[fake text="Answer edited"]]`);
  await box.press("Enter");

  await expect(chat.questions).toHaveCount(1);
  await expect(chat.questions.first()).toContainText("Edited question");
  await expect(chat.answers).toHaveCount(1);
  await chat.waitForAnswer();
  await expect(chat.contentOf(chat.lastAnswer())).toHaveText("Answer edited");
  const stored = await chat.storedMessages();
  expect(stored.filter((m) => m.role === "user").map((m) => m.content)).toEqual([`Edited question [[fake text="Answer edited"]]`]);
});

test("rename, search and delete chats in the sidebar", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  const first = await chat.startChat(`Alpha [[fake text="a"]]`);
  await chat.waitForAnswer();
  await chat.startChat(`Beta [[fake text="b"]]`);
  await chat.waitForAnswer();
  await expect(chat.chatItems()).toHaveCount(2);

  // Rename the first chat (titles are generated; find it by its link).
  const link = chat.sidebar.locator(`a[href="/chat/${first}"]`);
  const oldTitle = (await link.innerText()).trim();
  await chat.renameChat(oldTitle, "Quarterly planning");
  await expect(chat.chatLink("Quarterly planning")).toBeVisible();
  await page.reload();
  await expect(chat.chatLink("Quarterly planning")).toBeVisible();

  await chat.search.fill("quarterly");
  await expect(chat.chatItems()).toHaveCount(1);
  await expect(chat.chatLink("Quarterly planning")).toBeVisible();
  await chat.search.fill("no such chat zzz");
  await expect(chat.sidebar.getByText("No chats match")).toBeVisible();
  await chat.search.fill("");
  await expect(chat.chatItems()).toHaveCount(2);

  // Delete the chat that is open: confirmation, then back to a new chat.
  const openTitle = (await chat.sidebar.locator(".chat-item.active .chat-link").innerText()).trim();
  await chat.deleteChat(openTitle);
  await expect(page).toHaveURL(/\/chat$/);
  await expect(chat.chatItems()).toHaveCount(1);
  const res = await page.request.get(`/chat/${first}/messages`);
  expect(res.status()).toBe(200);
});

test("the model picker switches a chat to the demo model", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  const uuid = await chat.startChat(`Hi [[fake text="from the fake model"]]`);
  await chat.waitForAnswer();
  await expect(chat.modelPicker).toHaveValue("compatible:fake-model");
  await chat.modelPicker.selectOption({ label: "Demo" });
  await expect
    .poll(async () => ((await (await page.request.get(`/chat/${uuid}/messages`)).json()) as { chat: { model: string } }).chat.model)
    .toBe("demo");
  await page.reload();
  await expect(chat.modelPicker).toHaveValue("demo");
  await chat.send("What is polling?");
  await expect(chat.answers).toHaveCount(2);
  await chat.waitForAnswer("completed", 30_000);
  await expect(chat.contentOf(chat.lastAnswer())).toContainText("demo");
});

test("keyboard: Shift+Enter for a new line, Enter sends, the new-chat shortcut; drafts survive a reload", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(`First [[fake text="ok"]]`);
  await chat.waitForAnswer();

  await chat.composer.fill("line one");
  await chat.composer.press("Shift+Enter");
  await chat.composer.pressSequentially("line two");
  await expect(chat.composer).toHaveValue("line one\nline two");
  await page.reload();
  await expect(chat.composer).toHaveValue("line one\nline two");
  await chat.composer.press("Enter");
  await expect(chat.questions.last()).toHaveText("line one\nline two");
  await expect(chat.composer).toHaveValue("");

  await expect(chat.newChatButton).toHaveAttribute("data-tooltip", /Ctrl\+Shift\+O/);
  await page.keyboard.press("Control+Shift+O");
  await expect(page).toHaveURL(/\/chat$/);
});

test("refusals a person understands: rate limit with when to retry, an answer still generating", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(`Start [[fake text="ok"]]`);
  await chat.waitForAnswer();

  await page.route("**/send", (route) =>
    route.fulfill({
      status: 429,
      headers: { "retry-after": "42", "content-type": "application/json" },
      body: JSON.stringify({ error: { code: "rate_limited", message: "You sent too many messages." } }),
    }),
  );
  await chat.send("Too fast");
  await expect(chat.notice).toContainText("You sent too many messages.");
  await expect(chat.notice).toContainText(/send again in 4\d s/);
  await expect(chat.composer).toHaveValue("Too fast");
  await expect(chat.sendButton).toBeDisabled();

  await page.unroute("**/send");
  await page.route("**/send", (route) =>
    route.fulfill({
      status: 409,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ error: { code: "generation_in_progress", message: "busy" } }),
    }),
  );
  await chat.notice.getByRole("button", { name: "Dismiss" }).click();
  await page.evaluate(() => localStorage.clear());
  await chat.send("Again");
  await expect(chat.notice).toContainText("still being generated");
  await expect(chat.composer).toHaveValue("Again");
});

test("offline mid-answer: a badge, then the answer completes by itself", async ({ page, context }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  const uuid = await chat.startChat(slowAnswer("Net ", { repeat: 80, chunk: 6, delay: 40 }));
  await expect(chat.contentOf(chat.lastAnswer())).toContainText("Net Net Net");
  await context.setOffline(true);
  await expect(chat.offlineBadge).toBeVisible();
  await page.waitForTimeout(1500);
  await context.setOffline(false);
  await expect(chat.offlineBadge).toBeHidden({ timeout: 10_000 });
  await chat.waitForAnswer();
  const stored = (await chat.storedMessages(uuid)).filter((m) => m.role === "assistant").at(-1)!;
  const shown = await chat.contentOf(chat.lastAnswer()).innerText();
  expect(count(shown, "Net")).toBe(80);
  expect(shown.replace(/\s+/g, " ").trim()).toBe(stored.content.replace(/\s+/g, " ").trim());
});

test("dark mode follows the toggle and is remembered", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  const bg = () => page.evaluate(() => getComputedStyle(document.querySelector(".main")!).backgroundColor);
  const light = await bg();
  await page.getByRole("button", { name: "Switch to dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  expect(await bg()).not.toBe(light);
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await page.getByRole("button", { name: "Switch to light theme" }).click();
  await expect(page.locator("html")).not.toHaveAttribute("data-theme", "dark");
  await chat.gotoNew();
});

test.describe("on a 375 px phone", () => {
  test.use({ viewport: { width: 375, height: 760 }, isMobile: true, hasTouch: true });

  test("the sidebar is a drawer; chatting works", async ({ page }) => {
    await ChatPage.signUp(page);
    const chat = new ChatPage(page);
    await expect(chat.sidebar).toBeHidden();
    await chat.startChat(`Phone question [[fake text="A short answer for a small screen."]]`);
    await chat.waitForAnswer();
    await expect(chat.contentOf(chat.lastAnswer())).toHaveText("A short answer for a small screen.");
    // Nothing overflows sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    await page.getByRole("button", { name: "Open sidebar" }).click();
    await expect(chat.sidebar).toBeVisible();
    await expect(chat.chatItems()).toHaveCount(1);
    await chat.newChatButton.click();
    await expect(page).toHaveURL(/\/chat$/);
    await expect(chat.sidebar).toBeHidden();
  });
});

/** The screens of the README, desktop and phone, light and dark (the demo model: real-looking answers). */
test("screenshots", async ({ page }) => {
  test.setTimeout(90_000);
  await page.emulateMedia({ colorScheme: "light" });
  await ChatPage.signUp(page, { name: "Ada Lovelace", email: `ada-${Date.now()}@example.test`, password: "correct-horse-battery" });
  const chat = new ChatPage(page);
  await chat.gotoNew();
  await chat.pickAgent("Code helper");
  await chat.modelPicker.selectOption({ label: "Demo" });
  await chat.composer.fill("How should I debounce a search box in TypeScript?");
  await page.mouse.move(0, 0);
  await chat.screenshot("desktop-light-new-chat");
  await chat.composer.press("Enter");
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  await expect(chat.answers).toHaveCount(2);
  await chat.waitForAnswer("completed", 30_000);
  await chat.renameChat((await chat.sidebar.locator(".chat-item.active .chat-link").innerText()).trim(), "Debouncing a search box");
  await chat.send("Compare debounce and throttle in a table, please.");
  await expect(chat.answers).toHaveCount(3);
  await chat.waitForAnswer("completed", 30_000);
  await page.mouse.move(0, 0);
  await chat.screenshot("desktop-light-chat");
  await page.emulateMedia({ colorScheme: "dark" });
  await chat.screenshot("desktop-dark-chat");

  await page.setViewportSize({ width: 375, height: 760 });
  await page.emulateMedia({ colorScheme: "light" });
  await chat.screenshot("phone-light-chat");
  await page.emulateMedia({ colorScheme: "dark" });
  await chat.screenshot("phone-dark-chat");
  await page.getByRole("button", { name: "Open sidebar" }).click();
  await expect(chat.sidebar).toBeVisible();
  await chat.screenshot("phone-dark-drawer");
  await chat.newChatButton.click();
  await expect(page).toHaveURL(/\/chat$/);
  await page.emulateMedia({ colorScheme: "light" });
  await chat.screenshot("phone-light-new-chat");
});
