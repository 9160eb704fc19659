import { expect, type Locator, type Page } from "@playwright/test";

/** /signup: create an account with name, email and password. */
export class SignUpPage {
  readonly page: Page;
  readonly name: Locator;
  readonly email: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly error: Locator;
  readonly signInLink: Locator;

  constructor(page: Page) {
    this.page = page;
    this.name = page.getByLabel("Name");
    this.email = page.getByLabel("Email");
    this.password = page.getByLabel("Password");
    this.submit = page.getByRole("button", { name: "Create account" });
    // Next.js keeps a role=alert route announcer on every page: not ours.
    this.error = page.getByRole("alert").and(page.locator(":not(#__next-route-announcer__)"));
    this.signInLink = page.getByRole("link", { name: "Sign in" });
  }

  async goto(): Promise<void> {
    await this.page.goto("/signup");
    await expect(this.page.getByRole("heading", { name: "Create your account" })).toBeVisible();
  }

  async signUp(user: { name?: string; email: string; password: string }): Promise<void> {
    if (user.name !== undefined) await this.name.fill(user.name);
    await this.email.fill(user.email);
    await this.password.fill(user.password);
    await this.submit.click();
  }
}
