import { expect, type Locator, type Page } from "@playwright/test";

/** /signin: email and password through Auth.js; failures show an alert. */
export class SignInPage {
  readonly page: Page;
  readonly email: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly error: Locator;
  readonly signUpLink: Locator;

  constructor(page: Page) {
    this.page = page;
    this.email = page.getByLabel("Email");
    this.password = page.getByLabel("Password");
    this.submit = page.getByRole("button", { name: "Sign in" });
    // Next.js keeps a role=alert route announcer on every page: not ours.
    this.error = page.getByRole("alert").and(page.locator(":not(#__next-route-announcer__)"));
    this.signUpLink = page.getByRole("link", { name: "Create an account" });
  }

  async goto(): Promise<void> {
    await this.page.goto("/signin");
    await this.expectShown();
  }

  async expectShown(): Promise<void> {
    await expect(this.page).toHaveURL(/\/signin(\?|$)/);
    await expect(this.page.getByRole("heading", { name: "Welcome back" })).toBeVisible();
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.email.fill(email);
    await this.password.fill(password);
    await this.submit.click();
  }
}
