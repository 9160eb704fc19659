import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { SignInPage } from "./pages/signin-page";
import { SignUpPage } from "./pages/signup-page";

function newUser() {
  const id = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  return { name: `E2E ${id}`, email: `e2e-${id}@example.test`, password: `pw-${randomBytes(6).toString("hex")}` };
}

/** The signed-in landing page (/chat) shows who is signed in. */
async function expectSignedInAs(page: Page, email: string): Promise<void> {
  await expect(page).toHaveURL(/\/chat(\?|$|\/)/);
  await expect(page.getByTestId("signed-in-as")).toHaveText(`Signed in as ${email}`);
}

test("sign up, sign out, sign in again", async ({ page }) => {
  const user = newUser();
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.signUp(user);
  await expectSignedInAs(page, user.email);

  await page.getByRole("button", { name: "Sign out" }).click();
  const signIn = new SignInPage(page);
  await signIn.expectShown();

  // Signed out for real: the app sends us back to sign in.
  await page.goto("/chat");
  await signIn.expectShown();

  await signIn.signIn(user.email, user.password);
  await expectSignedInAs(page, user.email);
});

test("a wrong password shows an error and keeps the user signed out", async ({ page }) => {
  const user = newUser();
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.signUp(user);
  await expectSignedInAs(page, user.email);
  await page.getByRole("button", { name: "Sign out" }).click();

  const signIn = new SignInPage(page);
  await signIn.expectShown();
  await signIn.signIn(user.email, `${user.password}-wrong`);
  await expect(signIn.error).toHaveText("That email and password do not match an account.");
  await expect(page).toHaveURL(/\/signin/);

  await page.goto("/chat");
  await signIn.expectShown();
});

test("signing up with a taken email shows why", async ({ page }) => {
  const user = newUser();
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.signUp(user);
  await expectSignedInAs(page, user.email);
  await page.getByRole("button", { name: "Sign out" }).click();
  await new SignInPage(page).expectShown();

  await signUp.goto();
  await signUp.signUp({ ...user, password: "another-password" });
  await expect(signUp.error).toContainText("already exists");
});
