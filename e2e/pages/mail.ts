import { fileURLToPath } from "node:url";
import { expect, type Page } from "@playwright/test";
import { linkIn, mailsFor, waitForMail } from "../../test/support/mail-sink.ts";
import { e2eMailDir } from "../mail-dir.mjs";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const mailDir = () => e2eMailDir(projectRoot, Number(process.env.E2E_PORT ?? 3210));

/** Opens the verification link of the newest verification mail to `email` in the page, as its reader would. */
export async function followVerificationMail(page: Page, email: string, opts: { maybeUsed?: boolean } = {}): Promise<void> {
  await waitForMail(mailDir(), email);
  const mails = mailsFor(mailDir(), email).filter((m) => m.includes("/verify-email?token="));
  const link = linkIn(mails[mails.length - 1] ?? "", "/verify-email");
  await page.goto(`${link.pathname}${link.search}`);
  // maybeUsed: another test (a parallel worker) may have followed the same link first.
  if (opts.maybeUsed) await expect(page.getByTestId("verify-result")).toBeVisible();
  else await expect(page.getByTestId("verify-result")).toHaveText("Your email address is confirmed.");
}
