import { expect, type Locator, type Page } from "@playwright/test";
import { SignInPage } from "./signin-page";
import { SignUpPage } from "./signup-page";
import { followVerificationMail } from "./mail";

/** The admin of the e2e server: ADMIN_EMAILS in e2e/serve.mjs. */
export const E2E_ADMIN = { name: "E2E Admin", email: "e2e-admin@example.test", password: "e2e-admin-password" };

/** /account: the signed-in user's limits and usage. */
export class AccountPage {
  readonly page: Page;
  readonly heading: Locator;
  readonly usageTable: Locator;

  constructor(page: Page) {
    this.page = page;
    this.heading = page.getByRole("heading", { name: "Account", level: 1 });
    this.usageTable = page.getByTestId("usage-table");
  }

  async goto(): Promise<void> {
    await this.page.goto("/account");
    await expect(this.heading).toBeVisible();
  }

  quota(name: "messagesPerHour" | "tokensPerDay" | "concurrent"): Locator {
    return this.page.locator(`.quota[data-quota="${name}"]`);
  }
}

/** /admin: users with their usage and the actions on each; generations in flight and failed. */
export class AdminPage {
  readonly page: Page;
  readonly heading: Locator;
  readonly users: Locator;

  constructor(page: Page) {
    this.page = page;
    this.heading = page.getByRole("heading", { name: "Admin", level: 1 });
    this.users = page.getByTestId("admin-users");
  }

  /** Signs the page in as the e2e admin (signing up the first time; the account outlives a retried test). */
  static async signIn(page: Page): Promise<AdminPage> {
    const signUp = new SignUpPage(page);
    await signUp.goto();
    await signUp.signUp(E2E_ADMIN);
    await page.waitForURL(/\/chat$|\/signup/);
    if (!/\/chat$/.test(page.url())) {
      const signIn = new SignInPage(page);
      await signIn.goto();
      await signIn.signIn(E2E_ADMIN.email, E2E_ADMIN.password);
      await expect(page).toHaveURL(/\/chat$/);
    }
    // ADMIN_EMAILS counts only a verified address: follow the link from the mail it received
    // (the tests signing in as the admin run in parallel: whichever comes first verifies it).
    await followVerificationMail(page, E2E_ADMIN.email, { maybeUsed: true });
    await expect.poll(async () => (await page.request.get("/api/admin/users")).status(), { timeout: 15_000 }).toBe(200);
    await page.goto("/chat");
    return new AdminPage(page);
  }

  async goto(query = ""): Promise<void> {
    await this.page.goto(`/admin${query}`);
    await expect(this.heading).toBeVisible();
  }

  row(email: string): Locator {
    return this.users.locator(`tr[data-user="${email}"]`);
  }
}

/** /account/tokens: create, see once, revoke. */
export class TokensPage {
  readonly page: Page;
  readonly name: Locator;
  readonly create: Locator;
  readonly fresh: Locator;
  readonly rows: Locator;

  constructor(page: Page) {
    this.page = page;
    this.name = page.getByRole("textbox", { name: "Token name" });
    this.create = page.getByRole("button", { name: "Create token" });
    this.fresh = page.getByTestId("new-token");
    this.rows = page.getByTestId("token-row");
  }

  async goto(): Promise<void> {
    await this.page.goto("/account/tokens");
    await expect(this.page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();
  }

  /** Creates a token and answers it as shown (once). */
  async createToken(name: string): Promise<string> {
    await this.name.fill(name);
    await this.create.click();
    await expect(this.fresh).toBeVisible();
    return this.fresh.getByRole("textbox", { name: "The new token" }).inputValue();
  }

  async revoke(name: string): Promise<void> {
    await this.page.getByRole("button", { name: `Revoke ${name}` }).click();
    const dialog = this.page.getByRole("dialog", { name: "Revoke token?" });
    await dialog.getByRole("button", { name: "Revoke" }).click();
    await expect(dialog).toBeHidden();
  }
}

/** /account/data: export all, import a file. */
export class DataPage {
  readonly page: Page;
  readonly exportAll: Locator;
  readonly file: Locator;
  readonly importButton: Locator;
  readonly result: Locator;

  constructor(page: Page) {
    this.page = page;
    this.exportAll = page.getByRole("link", { name: "Export all chats" });
    this.file = page.getByLabel("Export file (.json)");
    this.importButton = page.getByRole("button", { name: "Import" });
    this.result = page.getByTestId("import-result");
  }

  async goto(): Promise<void> {
    await this.page.goto("/account/data");
    await expect(this.page.getByRole("heading", { name: "Your data", level: 1 })).toBeVisible();
  }
}
