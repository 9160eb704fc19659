import { expect, type Locator, type Page } from "@playwright/test";

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
