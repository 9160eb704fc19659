import path from "node:path";

/** Where e2e/serve.mjs's SMTP server writes the mail it receives, per E2E_PORT. */
export function e2eMailDir(projectRoot, port) {
  return path.join(projectRoot, "test-results", `e2e-mail-${port}`);
}
