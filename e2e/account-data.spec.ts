/**
 * The account pages in a real browser: API tokens (made and shown once, used with curl's
 * header, revoked) and data (export all, then import the file into another account, which
 * then has the same chats). Signed out, both pages send you to sign in.
 */
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { ChatPage } from "./pages/chat-page";
import { DataPage, TokensPage } from "./pages/account-page";

test.describe.configure({ timeout: 60_000 });

test("signed out, the account pages ask to sign in", async ({ page }) => {
  for (const path of ["/account/tokens", "/account/data"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/signin/);
  }
});

test("create an API token, use it, revoke it", async ({ page, request }) => {
  await ChatPage.signUp(page);
  await page.getByRole("link", { name: "Account settings" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "API tokens" }).click();
  const tokens = new TokensPage(page);
  await expect(page).toHaveURL(/\/account\/tokens$/);
  await expect(page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "API tokens" })).toHaveAttribute("aria-current", "page");
  const token = await tokens.createToken("E2E script");
  expect(token).toMatch(/^pc_[A-Za-z0-9_-]{43}$/);
  await expect(tokens.rows).toHaveCount(1);
  await expect(tokens.rows.first()).toContainText("E2E script");
  await expect(tokens.rows.first()).toContainText(token.slice(0, 11));

  const auth = { headers: { authorization: `Bearer ${token}` } };
  expect((await request.get("/chat/list", auth)).status()).toBe(200);
  // Shown once: a reload lists it without the secret.
  await page.reload();
  await expect(tokens.rows).toHaveCount(1);
  await expect(page.getByText(token)).toHaveCount(0);
  await expect(tokens.rows.first()).not.toContainText("last used never");

  await tokens.revoke("E2E script");
  await expect(tokens.rows).toHaveCount(0);
  expect((await request.get("/chat/list", auth)).status()).toBe(401);
});

test("export all chats, import them into another account", async ({ page, browser }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  const uuid = await chat.startChat(`Remember this [[fake text="exported answer"]]`);
  await chat.waitForAnswer();
  expect((await page.request.patch(`/api/chats/${uuid}`, { data: { title: "To take along" } })).status()).toBe(200);
  await expect(chat.chatLink("To take along")).toBeVisible();

  const data = new DataPage(page);
  await data.goto();
  const [download] = await Promise.all([page.waitForEvent("download"), data.exportAll.click()]);
  expect(download.suggestedFilename()).toMatch(/^pollchat-export-\d{4}-\d{2}-\d{2}\.json$/);
  const file = (await download.path());
  expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({ format: "pollchat.chats", version: 1 });

  const other = await browser.newContext();
  const opage = await other.newPage();
  await ChatPage.signUp(opage);
  const odata = new DataPage(opage);
  await odata.goto();
  await odata.file.setInputFiles(file);
  await odata.importButton.click();
  await expect(odata.result).toContainText("Imported 1 chat.");
  await odata.result.getByRole("link", { name: "To take along" }).click();
  const imported = new ChatPage(opage);
  await expect(imported.title).toHaveText("To take along");
  await expect(imported.contentOf(imported.lastAnswer())).toHaveText("exported answer");

  // The same file again: nothing new.
  await odata.goto();
  await odata.file.setInputFiles(file);
  await odata.importButton.click();
  await expect(odata.result).toContainText("Nothing new to import. 1 chat was already here");
  await other.close();
});
