/**
 * Sharing in a real browser: the owner makes a public link from the chat's Share control; a
 * visitor with no account opens it while the answer is still being written and watches it
 * arrive, rendered like the chat; the owner makes the chat private and the visitor's page says
 * so, and the link then opens nothing.
 */
import { expect, test } from "@playwright/test";
import { ChatPage, slowAnswer } from "./pages/chat-page";
import { ShareDialog, SharedChatPage } from "./pages/share-page";

test.describe.configure({ timeout: 90_000 });

test("a visitor follows a shared chat live, until the owner makes it private", async ({ page, browser }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(`Share this ${slowAnswer("**live** words ", { repeat: 150, chunk: 6, delay: 60 })}`);
  await expect(chat.lastAnswer()).toHaveAttribute("data-status", "pending");
  const owner = new ShareDialog(page);
  const link = await owner.share();
  await owner.close();
  await expect(owner.openButton).toHaveText("Shared");

  // Someone else, with no account and no cookies.
  const visitor = await browser.newContext();
  const vpage = await visitor.newPage();
  const res = await vpage.goto(link);
  expect(res?.status()).toBe(200);
  const shared = new SharedChatPage(vpage);
  await expect(shared.title).toBeVisible();
  await expect(shared.questions.first()).toContainText("Share this");
  const answer = shared.answers.last();
  // Still being written when it opened, and it keeps coming.
  await expect(answer).toHaveAttribute("data-status", "pending");
  await expect(shared.contentOf(answer).locator("strong").first()).toHaveText("live");
  await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 40_000 });
  await expect(shared.contentOf(answer)).not.toHaveClass(/streaming/);
  await chat.waitForAnswer("completed", 40_000);
  const norm = (s: string) => s.replace(/\s+/g, " ").trim();
  expect(norm(await shared.contentOf(answer).innerText())).toBe(norm(await chat.contentOf(chat.lastAnswer()).innerText()));
  // Read-only: nothing to type in, nothing to edit.
  await expect(vpage.getByRole("textbox")).toHaveCount(0);
  await expect(vpage.getByRole("button", { name: "Edit message" })).toHaveCount(0);

  // A new question shows up on the visitor's page too.
  await chat.send(`And another [[fake text="second shared answer"]]`);
  await expect(shared.answers.last()).toContainText("second shared answer", { timeout: 20_000 });

  await owner.makePrivate();
  await expect(shared.gone).toBeVisible({ timeout: 15_000 });
  await expect(shared.answers).toHaveCount(0);
  const again = await vpage.reload();
  expect(again?.status()).toBe(404);
  await expect(vpage.getByRole("heading", { name: "This link does not open a chat" })).toBeVisible();
  await visitor.close();
});

test("only the owner sees the Share control; the link copies", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(`Hi [[fake text="short"]]`);
  await chat.waitForAnswer();
  const owner = new ShareDialog(page);
  const link = await owner.share();
  await owner.dialog.getByRole("button", { name: "Copy link" }).click();
  await expect(owner.dialog.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  // Escape closes it; a reload still shows the chat as shared.
  await page.keyboard.press("Escape");
  await expect(owner.dialog).toBeHidden();
  await page.reload();
  await expect(owner.openButton).toHaveText("Shared");
});
