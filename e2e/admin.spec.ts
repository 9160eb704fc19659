/**
 * The admin area in a real browser: an admin (ADMIN_EMAILS) reaches it from the sidebar, sees
 * a user with their usage, disables them (after a confirmation) so that their next action
 * fails at once, enables them again, and sees a failed answer with its error. Others get 404.
 */
import { expect, test } from "@playwright/test";
import { ChatPage, newUser } from "./pages/chat-page";
import { AdminPage } from "./pages/account-page";

test("an admin disables and enables a user, whose session stops at once", async ({ page, browser }) => {
  const user = newUser();
  const context = await browser.newContext();
  const userPage = await context.newPage();
  await ChatPage.signUp(userPage, user);
  const chat = new ChatPage(userPage);
  await chat.startChat("Fail for the admin [[fake status=401]]");
  await chat.waitForAnswer("failed");

  const admin = await AdminPage.signIn(page);
  await new ChatPage(page).sidebar.getByRole("link", { name: "Admin", exact: true }).click();
  await expect(admin.heading).toBeVisible();
  // The failed answer, with the error its user saw.
  const failed = page.getByRole("table", { name: "Failed generations" });
  await expect(failed.getByRole("row").filter({ hasText: user.email })).toContainText("compatible:fake-model");
  await expect(failed.getByRole("row").filter({ hasText: user.email })).toContainText(/failed/);

  await admin.goto(`?q=${encodeURIComponent(user.email)}`);
  const row = admin.row(user.email);
  await expect(row).toContainText("1"); // one message in the last hour
  await row.getByRole("button", { name: `Disable ${user.email}` }).click();
  const dialog = page.getByRole("dialog", { name: `Disable ${user.email}?` });
  await expect(dialog).toContainText("stop working at once");
  await dialog.getByRole("button", { name: "Disable" }).click();
  await expect(row).toContainText("Disabled");

  // The user's very next action is refused: a reload lands on the sign-in page.
  await userPage.reload();
  await expect(userPage).toHaveURL(/\/signin/);

  await row.getByRole("button", { name: `Enable ${user.email}` }).click();
  await expect(row).not.toContainText("Disabled");
  await userPage.goto("/chat");
  await expect(userPage).toHaveURL(/\/chat$/);
  // The admin cannot disable themselves.
  await admin.goto("?q=e2e-admin");
  await expect(page.getByRole("button", { name: "Disable e2e-admin@example.test" })).toBeDisabled();
  await context.close();
});

test("someone who is not an admin gets the 404 page and no admin link", async ({ page, browser }) => {
  // Not the first account of the server (that one is an admin too): someone signed up before.
  const before = await browser.newContext();
  await ChatPage.signUp(await before.newPage());
  await before.close();
  await ChatPage.signUp(page);
  await expect(new ChatPage(page).sidebar.getByRole("link", { name: "Admin", exact: true })).toHaveCount(0);
  const res = await page.goto("/admin");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Nothing here" })).toBeVisible();
});
