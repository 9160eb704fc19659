import { expect, type Locator, type Page } from "@playwright/test";

/** The owner's Share dialog on a chat page. */
export class ShareDialog {
  readonly page: Page;
  readonly openButton: Locator;
  readonly dialog: Locator;
  readonly link: Locator;

  constructor(page: Page) {
    this.page = page;
    this.openButton = page.locator(".topbar").getByRole("button", { name: /^(Share|Shared)$/ });
    this.dialog = page.getByRole("dialog", { name: "Share this chat" });
    this.link = this.dialog.getByRole("textbox", { name: "Public link" });
  }

  /** Opens the dialog, makes the chat public, and answers its link. */
  async share(): Promise<string> {
    if (!(await this.dialog.isVisible())) await this.openButton.click();
    await expect(this.dialog).toBeVisible();
    await this.dialog.getByRole("button", { name: "Create public link" }).click();
    await expect(this.link).toHaveValue(/\/share\/[0-9a-f-]{36}$/);
    return this.link.inputValue();
  }

  async makePrivate(): Promise<void> {
    if (!(await this.dialog.isVisible())) await this.openButton.click();
    await this.dialog.getByRole("button", { name: "Make private" }).click();
    await expect(this.dialog.getByRole("button", { name: "Create public link" })).toBeVisible();
  }

  async close(): Promise<void> {
    await this.dialog.getByRole("button", { name: "Close" }).click();
    await expect(this.dialog).toBeHidden();
  }
}

/** The public read-only page of a shared chat (/share/{uuid}). */
export class SharedChatPage {
  readonly page: Page;
  readonly title: Locator;
  readonly answers: Locator;
  readonly questions: Locator;
  readonly gone: Locator;

  constructor(page: Page) {
    this.page = page;
    this.title = page.locator(".share-title");
    this.answers = page.locator("article.msg-assistant[data-message-uuid]");
    this.questions = page.locator("article.msg-user");
    this.gone = page.getByRole("status").filter({ hasText: "This chat is no longer shared" });
  }

  contentOf(message: Locator): Locator {
    return message.getByTestId("message-content");
  }
}
