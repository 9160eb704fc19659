/**
 * Accessibility of the main screens, checked by axe-core against WCAG 2.1 A and AA: labelled
 * controls, names, roles, landmarks and colour contrast, in the light and the dark theme, on
 * desktop and on a phone. Any violation fails with its rule, the elements and axe's advice.
 */
import { followVerificationMail } from "./pages/mail";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { ChatPage, newUser } from "./pages/chat-page";
import { AccountPage, AdminPage, TokensPage } from "./pages/account-page";
import { ShareDialog } from "./pages/share-page";

test.describe.configure({ timeout: 120_000 });

const THEMES = ["light", "dark"] as const;

/**
 * Checks the page as it is in each theme in turn: the palette follows the emulated
 * color-scheme live (light-dark() in CSS, matchMedia in client/theme.ts), so one setup serves
 * both themes (it used to be built twice, once per theme: half of the browser tests' time).
 * The first theme gets every WCAG A/AA rule; the second only the rules a palette can change
 * (contrast, and links told apart from text by colour): names, roles, labels and landmarks are
 * the same markup in both.
 */
async function expectNoViolations(page: Page, screen: string) {
  for (const [i, theme] of THEMES.entries()) {
    await page.emulateMedia({ colorScheme: theme });
    await expectNoViolationsNow(page, `${screen} (${theme})`, i === 0 ? "all" : "colours");
  }
}

const COLOUR_RULES = ["color-contrast", "link-in-text-block"];

async function expectNoViolationsNow(page: Page, screen: string, rules: "all" | "colours") {
  // Let transitions and reveals settle so contrast is measured on final colours: every CSS
  // transition or animation that ends (the typing dots never do) has ended, then one frame.
  await page.evaluate(async () => {
    const ending = document.getAnimations().filter((a) => a.effect?.getComputedTiming().endTime !== Infinity);
    await Promise.all(ending.map((a) => a.finished.catch(() => undefined)));
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
  const axe = new AxeBuilder({ page });
  const { violations } = await (rules === "all" ? axe.withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]) : axe.withRules(COLOUR_RULES)).analyze();
  const report = violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), why: n.failureSummary })),
  }));
  expect(report, `${screen}: ${JSON.stringify(report, null, 2)}`).toEqual([]);
}

test(`sign-in and sign-up pages pass WCAG AA`, async ({ page }) => {
  await page.goto("/signin");
  await expectNoViolations(page, "signin");
  await page.goto("/signup");
  await expectNoViolations(page, "signup");
});

test(`the new-chat screen and a chat with an answer pass WCAG AA`, async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await expectNoViolations(page, "new chat");

  const md = "## Steps\\n\\n1. one\\n2. two\\n\\n| a | b |\\n|---|---|\\n| 1 | 2 |\\n\\n```ts\\nconst x: number = 1; // note\\n```\\n\\n> quoted `code` and a [link](https://example.com)";
  await chat.startChat(`Show me everything [[fake text="${md}"]]`, "Code helper");
  await chat.waitForAnswer();
  await expectNoViolations(page, "chat");

  // A failed answer with its error and Retry button.
  await chat.send(`Fail please [[fake status=401]]`);
  await chat.waitForAnswer("failed");
  await expectNoViolations(page, "failed answer");
});

test(`a shared chat, its members dialog and an invite page pass WCAG AA`, async ({ page, browser }) => {
  const bobContext = await browser.newContext();
  const bobPage = await bobContext.newPage();
  try {
    const bob = await ChatPage.signUp(bobPage);
    // Invitations by email reach verified addresses only: Bob follows the link he was mailed.
    await followVerificationMail(bobPage, bob.email);
    await ChatPage.signUp(page);
    const chat = new ChatPage(page);
    const uuid = await chat.startChat(`Hello [[fake text="Hi both"]]`);
    await chat.waitForAnswer();
    await page.getByRole("button", { name: "Invite people" }).click();
    const dialog = page.getByRole("dialog", { name: "People in this chat" });
    await dialog.getByRole("textbox", { name: "Email of the person to invite" }).fill(bob.email);
    await dialog.getByRole("button", { name: "Invite", exact: true }).click();
    await dialog.getByRole("button", { name: "Create link" }).click();
    const link = await dialog.getByRole("textbox", { name: /New link/ }).inputValue();
    await expectNoViolations(page, "members dialog");
    await dialog.getByRole("button", { name: "Close" }).click();

    // Bob accepts the invitation in his sidebar (checked too), and lands in the chat.
    const bobChat = new ChatPage(bobPage);
    await bobPage.goto("/chat");
    const invitations = bobPage.getByRole("region", { name: "Invitations" });
    await expect(invitations.getByRole("button", { name: "Accept" })).toBeVisible({ timeout: 15_000 });
    await expectNoViolations(bobPage, "invitations in the sidebar");
    await invitations.getByRole("button", { name: "Accept" }).click();
    await expect(bobPage).toHaveURL(new RegExp(`/chat/${uuid}$`));

    // Bob's view: another person's message with name and avatar, presence, typing.
    await bobChat.send(`From Bob [[fake text="Hello Bob"]]`);
    await bobChat.waitForAnswer();
    await expect(page.getByTestId("presence")).toBeVisible({ timeout: 15_000 });
    await bobChat.typeUntil("typing…", () => expect(page.getByTestId("activity")).toContainText("typing", { timeout: 4_000 }));
    await expectNoViolations(page, "shared chat");
    await bobPage.goto(link);
    await expect(bobPage.getByRole("heading", { level: 1 })).toBeVisible();
    await expectNoViolations(bobPage, "invite page");
  } finally {
    await bobContext.close();
  }
});

test(`the phone drawer passes WCAG AA`, async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 760 });
  await ChatPage.signUp(page);
  await page.getByRole("button", { name: "Open sidebar" }).click();
  await expect(new ChatPage(page).sidebar).toBeVisible();
  await expectNoViolations(page, "phone drawer");
});

test(`the account and admin pages pass WCAG AA`, async ({ page }) => {
  // Someone else to act on in the admin table, whatever ran before.
  const other = newUser();
  expect((await page.request.post("/api/register", { data: other })).status()).toBe(201);
  const admin = await AdminPage.signIn(page);
  const chat = new ChatPage(page);
  await chat.startChat("Usage please [[fake text=counted usage_prompt=12 usage_completion=3]]");
  await chat.waitForAnswer();
  await chat.send("Fail please [[fake status=401]]");
  await chat.waitForAnswer("failed");
  await new AccountPage(page).goto();
  await expectNoViolations(page, "account");
  await admin.goto();
  await expectNoViolations(page, "admin");
  // The limits form open, and the confirmation of disabling someone.
  await admin.goto(`?q=${encodeURIComponent(other.email)}`);
  const row = admin.row(other.email);
  await row.getByRole("button", { name: /^Limits of / }).click();
  await expectNoViolations(page, "admin limits form");
  await row.getByRole("button", { name: /^Disable / }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await expectNoViolations(page, "admin disable dialog");
  await page.getByRole("button", { name: "Cancel" }).click();
});

test(`a guest's chat with the banner, and the guest's sign-up, pass WCAG AA`, async ({ page }) => {
  await page.goto("/signin");
  await page.getByRole("button", { name: "Try without an account" }).click();
  await expect(page.getByRole("note", { name: "Guest session" })).toBeVisible();
  await expectNoViolations(page, "guest chat");
  await new AccountPage(page).goto();
  await expectNoViolations(page, "guest account");
  await page.goto("/signup");
  await expect(page.getByRole("heading", { name: "Keep your chats" })).toBeVisible();
  await expectNoViolations(page, "guest sign-up");
});

test(`a shared chat, its Share dialog and the public page pass WCAG AA`, async ({ page, browser }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  const md = "## Shared\\n\\n- one\\n- two\\n\\n```ts\\nconst shared = true;\\n```";
  await chat.startChat(`Share me [[fake text="${md}"]]`, "Code helper");
  await chat.waitForAnswer();
  const share = new ShareDialog(page);
  await share.openButton.click();
  await expectNoViolations(page, "share dialog, private");
  const link = await share.share();
  await expectNoViolations(page, "share dialog, public");

  const visitor = await browser.newContext();
  const vpage = await visitor.newPage();
  await vpage.goto(link);
  await expect(vpage.locator("article.msg-assistant[data-status=completed]").last()).toBeVisible();
  await expectNoViolations(vpage, "share page");
  await vpage.setViewportSize({ width: 375, height: 760 });
  await expectNoViolations(vpage, "share page, phone");
  await visitor.close();
});

test(`the account pages pass WCAG AA`, async ({ page }) => {
  await ChatPage.signUp(page);
  const tokens = new TokensPage(page);
  await tokens.goto();
  await expectNoViolations(page, "tokens, none");
  await tokens.createToken("Accessible script");
  await expectNoViolations(page, "tokens, one shown once");
  await page.getByRole("button", { name: "Revoke Accessible script" }).click();
  await expect(page.getByRole("dialog", { name: "Revoke token?" })).toBeVisible();
  await expectNoViolations(page, "tokens, revoke dialog");
  await page.goto("/account/data");
  await expectNoViolations(page, "data");
  await page.setViewportSize({ width: 375, height: 760 });
  await expectNoViolations(page, "data, phone");
});

test("the htmx page (/lite) passes WCAG AA", async ({ page }) => {
  await ChatPage.signUp(page);
  await page.goto("/lite");
  await expectNoViolations(page, "lite");
});
