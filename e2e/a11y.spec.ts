/**
 * Accessibility of the main screens, checked by axe-core against WCAG 2.1 A and AA: labelled
 * controls, names, roles, landmarks and colour contrast, in the light and the dark theme, on
 * desktop and on a phone. Any violation fails with its rule, the elements and axe's advice.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { ChatPage } from "./pages/chat-page";
import { ShareDialog } from "./pages/share-page";
import { TokensPage } from "./pages/account-page";

test.describe.configure({ timeout: 120_000 });

const THEMES = ["light", "dark"] as const;

async function expectNoViolations(page: Page, screen: string) {
  // Let transitions and the smooth reveal settle so contrast is measured on final colours.
  await page.waitForTimeout(400);
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const report = violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), why: n.failureSummary })),
  }));
  expect(report, `${screen}: ${JSON.stringify(report, null, 2)}`).toEqual([]);
}

for (const theme of THEMES) {
  test(`sign-in and sign-up pages pass WCAG AA (${theme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: theme });
    await page.goto("/signin");
    await expectNoViolations(page, `signin ${theme}`);
    await page.goto("/signup");
    await expectNoViolations(page, `signup ${theme}`);
  });

  test(`the new-chat screen and a chat with an answer pass WCAG AA (${theme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: theme });
    await ChatPage.signUp(page);
    const chat = new ChatPage(page);
    await expectNoViolations(page, `new chat ${theme}`);

    const md = "## Steps\\n\\n1. one\\n2. two\\n\\n| a | b |\\n|---|---|\\n| 1 | 2 |\\n\\n```ts\\nconst x: number = 1; // note\\n```\\n\\n> quoted `code` and a [link](https://example.com)";
    await chat.startChat(`Show me everything [[fake text="${md}"]]`, "Code helper");
    await chat.waitForAnswer();
    await expectNoViolations(page, `chat ${theme}`);

    // A failed answer with its error and Retry button.
    await chat.send(`Fail please [[fake status=401]]`);
    await chat.waitForAnswer("failed");
    await expectNoViolations(page, `failed answer ${theme}`);
  });

  test(`the phone drawer passes WCAG AA (${theme})`, async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 760 });
    await page.emulateMedia({ colorScheme: theme });
    await ChatPage.signUp(page);
    await page.getByRole("button", { name: "Open sidebar" }).click();
    await expect(new ChatPage(page).sidebar).toBeVisible();
    await expectNoViolations(page, `phone drawer ${theme}`);
  });
}

for (const theme of THEMES) {
  test(`a shared chat, its Share dialog and the public page pass WCAG AA (${theme})`, async ({ page, browser }) => {
    await page.emulateMedia({ colorScheme: theme });
    await ChatPage.signUp(page);
    const chat = new ChatPage(page);
    const md = "## Shared\\n\\n- one\\n- two\\n\\n```ts\\nconst shared = true;\\n```";
    await chat.startChat(`Share me [[fake text="${md}"]]`, "Code helper");
    await chat.waitForAnswer();
    const share = new ShareDialog(page);
    await share.openButton.click();
    await expectNoViolations(page, `share dialog, private ${theme}`);
    const link = await share.share();
    await expectNoViolations(page, `share dialog, public ${theme}`);

    const visitor = await browser.newContext({ colorScheme: theme });
    const vpage = await visitor.newPage();
    await vpage.goto(link);
    await expect(vpage.locator("article.msg-assistant[data-status=completed]").last()).toBeVisible();
    await expectNoViolations(vpage, `share page ${theme}`);
    await vpage.setViewportSize({ width: 375, height: 760 });
    await expectNoViolations(vpage, `share page, phone ${theme}`);
    await visitor.close();
  });

  test(`the account pages pass WCAG AA (${theme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: theme });
    await ChatPage.signUp(page);
    const tokens = new TokensPage(page);
    await tokens.goto();
    await expectNoViolations(page, `tokens, none ${theme}`);
    await tokens.createToken("Accessible script");
    await expectNoViolations(page, `tokens, one shown once ${theme}`);
    await page.getByRole("button", { name: "Revoke Accessible script" }).click();
    await expect(page.getByRole("dialog", { name: "Revoke token?" })).toBeVisible();
    await expectNoViolations(page, `tokens, revoke dialog ${theme}`);
    await page.goto("/account/data");
    await expectNoViolations(page, `data ${theme}`);
    await page.setViewportSize({ width: 375, height: 760 });
    await expectNoViolations(page, `data, phone ${theme}`);
  });
}

test("the htmx page (/lite) passes WCAG AA", async ({ page }) => {
  await ChatPage.signUp(page);
  await page.goto("/lite");
  await expectNoViolations(page, "lite");
});
