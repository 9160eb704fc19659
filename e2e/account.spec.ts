/**
 * The account page and guests in a real browser: the sidebar leads to /account, which shows the
 * limits and the usage of the answers just generated; a message over a limit shows the server's
 * sentence with a countdown that reads well; a guest tries without an account, sees the banner,
 * signs up and keeps the chat.
 */
import { expect, test } from "@playwright/test";
import { ChatPage, newUser } from "./pages/chat-page";
import { AccountPage, AdminPage } from "./pages/account-page";

test("the account page shows the limits and the usage per day and model", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat("Count me [[fake text=counted usage_prompt=1200 usage_completion=34]]");
  await chat.waitForAnswer();

  await chat.sidebar.getByRole("link", { name: /Signed in as/ }).click();
  const account = new AccountPage(page);
  await expect(account.heading).toBeVisible();
  await expect(account.quota("tokensPerDay")).toContainText("Tokens per day");
  await expect(account.quota("messagesPerHour")).toContainText("1 of");
  // The e2e server sets no token limit (RATE_LIMIT_TOKENS_PER_DAY=0): what was used, and that.
  await expect(account.quota("tokensPerDay")).toContainText("1,234 used");
  await expect(account.quota("tokensPerDay")).toContainText("No limit.");
  const row = account.usageTable.getByRole("row", { name: /compatible:fake-model/ });
  await expect(row).toContainText("1,200");
  await expect(row).toContainText("34");
  await expect(page.getByTestId("usage-totals")).toContainText("Today: 1,234 tokens in 1 answer");
  await page.getByRole("link", { name: "Chats" }).click();
  await expect(page).toHaveURL(/\/chat$/);
});

test("a message over a limit says which limit, and when to send again", async ({ page, browser }) => {
  const user = newUser();
  await ChatPage.signUp(page, user);
  const chat = new ChatPage(page);
  await chat.startChat("First [[fake text=one]]");
  await chat.waitForAnswer();

  // The admin allows this user one message an hour.
  const context = await browser.newContext();
  const adminPage = await context.newPage();
  const admin = await AdminPage.signIn(adminPage);
  await admin.goto(`?q=${encodeURIComponent(user.email)}`);
  const row = admin.row(user.email);
  await row.getByRole("button", { name: `Limits of ${user.email}` }).click();
  await row.getByLabel("Messages per hour").fill("1");
  await row.getByRole("button", { name: "Save limits" }).click();
  await expect(row).toContainText("messages/hour: 1 (set)");
  await context.close();

  await chat.send("Second [[fake text=two]]");
  await expect(chat.notice).toContainText("You sent 1 message in the last hour; the limit is 1 an hour.");
  await expect(chat.notice).toContainText(/You can send again in (\d+ min|1 h)\./);
  await expect(chat.sendButton).toBeDisabled();
  // The draft is kept for later.
  await expect(chat.composer).toHaveValue("Second [[fake text=two]]");

  const account = new AccountPage(page);
  await account.goto();
  await expect(account.quota("messagesPerHour")).toContainText("1 of 1");
  await expect(account.quota("messagesPerHour")).toContainText("Reached: you can send again in");
  await expect(account.quota("messagesPerHour")).toContainText("Set for your account by an admin.");
});

test("a guest tries without an account, then signs up and keeps the chat", async ({ page }) => {
  await page.goto("/signin");
  await page.getByRole("button", { name: "Try without an account" }).click();
  await expect(page).toHaveURL(/\/chat$/);
  const banner = page.getByRole("note", { name: "Guest session" });
  await expect(banner).toContainText("Create an account to keep your chats");
  const chat = new ChatPage(page);
  await chat.send("Hello as a guest [[fake text=guest-answer]]");
  await chat.waitForAnswer();
  await expect(chat.lastAnswer()).toContainText("guest-answer");
  const chatUrl = page.url();

  await banner.getByRole("link", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Keep your chats" })).toBeVisible();
  const user = newUser();
  await page.getByLabel("Name").fill(user.name);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByTestId("signed-in-as")).toHaveText(`Signed in as ${user.email}`);
  await expect(page.getByRole("note", { name: "Guest session" })).toHaveCount(0);
  await page.goto(chatUrl);
  await expect(chat.lastAnswer()).toContainText("guest-answer");
});

test("sign out everywhere says so when the server did not end the sessions, and stays signed in", async ({ page }) => {
  await ChatPage.signUp(page);
  const account = new AccountPage(page);
  await account.goto();
  // The request is lost on the way (the network, a proxy): nothing was ended on the server.
  await page.route("**/api/account/sessions", (route) => route.abort("failed"));
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  // (Next's route announcer is an empty alert of its own.)
  await expect(page.getByRole("alert").filter({ hasText: "Your other devices are still signed in." })).toContainText("The server could not be reached.");
  await expect(page).toHaveURL(/\/account$/);
  await page.unroute("**/api/account/sessions");
  // Still signed in here, and the button works once the server answers.
  await page.reload();
  await expect(account.heading).toBeVisible();
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/signin/);
});
