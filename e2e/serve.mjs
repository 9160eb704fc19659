/**
 * The web server Playwright starts (webServer.command in playwright.config.ts): a fake
 * OpenAI server, a fresh database (a new PostgreSQL database when DATABASE_URL is set, a
 * temp PGlite dir otherwise) and the BUILT app (`next start`) on E2E_PORT. On SIGTERM or
 * SIGINT it stops the app and drops the database.
 *
 *   E2E_PORT=3210 node e2e/serve.mjs
 */
import { startFakeOpenAI } from "../test/support/fake-openai.ts";
import { createTestDatabase, projectRoot, removeDataDir, startAppServer, testAppEnv } from "../test/support/app-server.ts";
import { startMailSink } from "../test/support/mail-sink.ts";
import { e2eMailDir } from "./mail-dir.mjs";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const port = Number(process.env.E2E_PORT ?? 3210);

const fake = await startFakeOpenAI();
const db = await createTestDatabase();
// A real SMTP server: the specs follow verification links from the mail it received (e2e/pages/mail.ts).
const mailDir = e2eMailDir(projectRoot, port);
rmSync(mailDir, { recursive: true, force: true });
const mail = await startMailSink(mailDir);
// The admin of e2e/admin.spec.ts by its email (verified from its mail); guests for e2e/account.spec.ts.
// Answers in parts for e2e/parts.spec.ts: every model thinks (when the fake is told to), and one
// real MCP server over stdio, whose get-sum waits for a member's approval (echo does not).
const everything = fileURLToPath(new URL("../node_modules/@modelcontextprotocol/server-everything/dist/index.js", import.meta.url));
const env = {
  ...testAppEnv(db, fake.url),
  ADMIN_EMAILS: "e2e-admin@example.test",
  ALLOW_GUESTS: "true",
  SMTP_URL: mail.url,
  REASONING_MODELS: "*",
  MCP_SERVERS: JSON.stringify([{ name: "everything", command: process.execPath, args: [everything, "stdio"], approval: ["get-sum"] }]),
};

let app;
let stopping;
async function shutdown(code) {
  stopping ??= (async () => {
    try {
      await app?.stop();
    } finally {
      await fake.close().catch(() => {});
      await mail.close().catch(() => {});
      await db.drop().catch((err) => console.error("[e2e] could not drop the test database:", err));
      removeDataDir(env);
    }
  })();
  await stopping;
  process.exit(code);
}
process.on("SIGTERM", () => void shutdown(0));
process.on("SIGINT", () => void shutdown(0));

try {
  app = await startAppServer({ env, port, echo: true });
} catch (err) {
  console.error(`[e2e] ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
}
console.log(`[e2e] app ready on ${app.url} (${"url" in db ? "PostgreSQL" : "PGlite"}, fake OpenAI at ${fake.url})`);
app.child.once("exit", (code, signal) => {
  if (stopping) return;
  console.error(`[e2e] the app server exited unexpectedly (code ${code}, signal ${signal})`);
  void shutdown(1);
});
