/**
 * The htmx client (/lite) in a real browser: no React, only htmx.org polling the chat
 * endpoints. The app runs with the fake OpenAI model by default (e2e/serve.mjs), scripted by
 * `[[fake ...]]` directives in the messages.
 */
import { expect, test } from "@playwright/test";
import { LitePage } from "./pages/lite-page";

/** The text the fake model streams for `[[fake text="T" repeat=N ...]]`. */
const repeated = (text: string, n: number) => text.repeat(n);

test("a signed-out visitor is sent to sign in, with /lite to come back to", async ({ page }) => {
  await page.goto("/lite");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Flite$/);
});

test("holds a conversation: the answer streams in and completes, a second message works, a reload resumes", async ({ page }) => {
  test.setTimeout(60_000);
  const lite = new LitePage(page);
  await lite.signUp();
  await lite.goto();
  // No React on this page: htmx alone.
  expect(await page.evaluate(() => typeof (window as unknown as { htmx?: { version: string } }).htmx?.version)).toBe("string");
  expect(await page.locator("script[src*='_next']").count()).toBe(0);
  const chatUuid = await lite.newChat();

  const first = '[[fake text="Polling beats streaming. " repeat=40 chunk=4 delay=30]]';
  await lite.send(first);
  // The composer is cleared once the message is stored; the message is shown once.
  await expect(lite.input).toHaveValue("");
  await expect(lite.user(0).content).toHaveText(first);
  const answer = lite.assistant(0);
  await answer.expectStatus("pending");
  await expect(answer.stopButton).toBeVisible();

  // Watch it stream: several partial texts, each a prefix of the next.
  const full = repeated("Polling beats streaming. ", 40);
  const seen: string[] = [];
  await expect
    .poll(
      async () => {
        const t = await answer.text();
        if (t !== seen.at(-1)) seen.push(t);
        return t;
      },
      { intervals: [50], timeout: 20_000 },
    )
    // Finished, the answer is rendered as Markdown (one paragraph: no trailing space).
    .toBe(full.trimEnd());
  await expect(answer.content.locator("p")).toHaveCount(1);
  const partials = seen.filter((t) => t.length > 0 && t.length < full.trimEnd().length);
  expect(partials.length).toBeGreaterThanOrEqual(2);
  for (const t of seen) expect(full.startsWith(t)).toBe(true);
  await answer.expectStatus("completed");
  await expect(answer.stopButton).toHaveCount(0);

  // A second message, sent with the button this time.
  await lite.input.fill('[[fake text="Second answer." chunk=3 delay=5]]');
  await lite.sendButton.click();
  await expect(lite.assistant(1).content).toHaveText("Second answer.");
  await lite.assistant(1).expectStatus("completed");
  await expect(lite.messages).toHaveCount(4);

  // A third one, long; reload in the middle: the page picks the answer up where it is.
  await lite.send('[[fake text="After a reload, the rest arrives. " repeat=40 chunk=4 delay=10]]');
  const third = lite.assistant(2);
  await expect.poll(async () => (await third.text()).length, { intervals: [50] }).toBeGreaterThan(20);
  await page.reload();
  await expect(page).toHaveURL(`/lite?chat=${chatUuid}`);
  await expect(lite.messages).toHaveCount(6);
  await expect(third.content).toHaveText(repeated("After a reload, the rest arrives. ", 40), { timeout: 20_000 });
  await third.expectStatus("completed");
  await expect(lite.user(0).content).toHaveText(first);
  await expect(lite.assistant(0).content).toHaveText(full);
});

test("Stop ends the answer, keeps its text, and the chat goes on", async ({ page }) => {
  test.setTimeout(60_000);
  const lite = new LitePage(page);
  await lite.signUp();
  await lite.goto();
  await lite.newChat();

  await lite.send('[[fake text="and on " repeat=2000 chunk=4 delay=20]]');
  const answer = lite.assistant(0);
  await expect.poll(async () => (await answer.text()).length, { intervals: [50] }).toBeGreaterThan(10);

  // While it generates, another message is refused with a readable reason; the draft stays.
  await lite.send("Too early");
  await expect(lite.alert).toBeVisible();
  await expect(lite.alert).toContainText("still being generated");
  await expect(lite.input).toHaveValue("Too early");

  await answer.stopButton.click();
  await answer.expectStatus("cancelled");
  await expect(answer.status).toHaveText("stopped");
  await expect(answer.stopButton).toHaveCount(0);
  const kept = await answer.text();
  expect(kept.length).toBeGreaterThan(10);
  expect("and on ".repeat(2000).startsWith(kept)).toBe(true);
  // Nothing more arrives.
  await page.waitForTimeout(1000);
  expect(await answer.text()).toBe(kept);

  await lite.send('[[fake text="Fresh answer after the stop."]]');
  await expect(lite.alert).toBeHidden();
  await expect(lite.assistant(1).content).toHaveText("Fresh answer after the stop.");
  await lite.assistant(1).expectStatus("completed");
});

test("model output is shown as text: no script runs, no element is made", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const lite = new LitePage(page);
  await lite.signUp();
  await lite.goto();
  await lite.newChat();

  const payload = "<script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">link</a>";
  await lite.send(`[[fake text="${payload.replaceAll('"', '\\"')}" chunk=3 delay=5]]`);
  const answer = lite.assistant(0);
  await expect(answer.content).toHaveText(payload);
  await answer.expectStatus("completed");
  await expect(lite.chat.locator(".msg-content img, .msg-content script, .msg-content a")).toHaveCount(0);
  // Reloaded, the list is rendered by the server: still text.
  await page.reload();
  await expect(lite.assistant(0).content).toHaveText(payload);
  await expect(lite.chat.locator(".msg-content img, .msg-content script, .msg-content a")).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

test("when another client replaces the last answer (regenerate), the page reloads the list", async ({ page }) => {
  const lite = new LitePage(page);
  await lite.signUp();
  await lite.goto();
  const chatUuid = await lite.newChat();
  await lite.send('[[fake text="One answer." chunk=3 delay=5]]');
  const first = lite.assistant(0);
  await first.expectStatus("completed");
  const oldUuid = await first.root.getAttribute("data-uuid");

  // Elsewhere (the JSON API, as the React client would): the answer is made again, the old one removed.
  const res = await page.request.post(`/chat/${chatUuid}/regenerate`, { data: {} });
  expect(res.status(), await res.text()).toBe(201);

  // The page's poller now asks after a message that is gone (unknown_last_message): it starts over.
  await expect(page.locator(`#msg-${oldUuid}`)).toHaveCount(0);
  await expect(lite.messages).toHaveCount(2);
  await expect(lite.assistant(0).content).toHaveText("One answer.");
  await lite.assistant(0).expectStatus("completed");
  await expect(lite.alert).toBeHidden();
});

test("a failed answer shows its error", async ({ page }) => {
  const lite = new LitePage(page);
  await lite.signUp();
  await lite.goto();
  await lite.newChat();
  await lite.send("[[fake status=400]]");
  const answer = lite.assistant(0);
  await answer.expectStatus("failed");
  await expect(answer.error).toBeVisible();
  await expect(answer.error).not.toBeEmpty();
  await expect(answer.stopButton).toHaveCount(0);
});

test("shows the active branch with ‹ 1/2 ›: an arrow switches it, and another tab follows", async ({ page, context }) => {
  test.setTimeout(60_000);
  const lite = new LitePage(page);
  await lite.signUp();
  await lite.goto();
  const chatUuid = await lite.newChat();
  await lite.send('first [[fake text="The first answer."]]');
  await expect(lite.assistant(0).content).toHaveText("The first answer.");
  await lite.assistant(0).expectStatus("completed");
  // Edited through the API (this page has no edit button): a second version of the question.
  const question = await lite.user(0).root.getAttribute("data-uuid");
  const edited = await page.request.post(`/chat/${chatUuid}/edit`, { data: { messageUuid: question, content: 'second [[fake text="The second answer."]]' } });
  expect(edited.status()).toBe(201);
  await expect(lite.assistant(0).content).toHaveText("The second answer.", { timeout: 20_000 });
  await lite.assistant(0).expectStatus("completed");

  // The edit arrived through the poller; a reload shows the same, with the switcher.
  await page.reload();
  const versions = lite.user(0).root.locator(".versions");
  await expect(versions.locator(".version-at")).toHaveText("2/2");
  await expect(versions.getByRole("button", { name: "Next version" })).toBeDisabled();

  const other = await context.newPage();
  const otherLite = new LitePage(other);
  await other.goto(`/lite?chat=${chatUuid}`);
  await expect(otherLite.assistant(0).content).toHaveText("The second answer.");

  await versions.getByRole("button", { name: "Previous version" }).click();
  await expect(lite.user(0).content).toHaveText('first [[fake text="The first answer."]]');
  await expect(lite.assistant(0).content).toHaveText("The first answer.");
  await expect(lite.user(0).root.locator(".version-at")).toHaveText("1/2");
  await expect(lite.messages).toHaveCount(2);
  // The other tab's poller finds its last message off the branch and reloads the list.
  await expect(otherLite.assistant(0).content).toHaveText("The first answer.");
  await expect(otherLite.messages).toHaveCount(2);
  await expect(otherLite.alert).toBeHidden();

  // And the conversation goes on from the chosen branch.
  await lite.send('third [[fake text="The third answer."]]');
  await expect(lite.assistant(1).content).toHaveText("The third answer.");
  await expect(otherLite.assistant(1).content).toHaveText("The third answer.");
});
