/**
 * Global setup of the `integration` vitest project: one fake OpenAI server, one fresh
 * database and one app server (the built app) shared by all integration test files.
 * The app's output is written to test-results/integration-app-server.log at the end.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startFakeOpenAI, type FakeOpenAI } from "./fake-openai.ts";
import { startMailSink, type MailSink } from "./mail-sink.ts";
import {
  createTestDatabase,
  projectRoot,
  removeDataDir,
  startAppServer,
  testAppEnv,
  type AppServer,
  type TestDatabase,
} from "./app-server.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let fake: FakeOpenAI | undefined;
  let db: TestDatabase | undefined;
  let env: Record<string, string> | undefined;
  let app: AppServer | undefined;
  let mail: MailSink | undefined;

  const teardown = async () => {
    if (app) {
      await app.stop();
      const dir = path.join(projectRoot, "test-results");
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "integration-app-server.log"), app.logs());
    }
    await fake?.close();
    await mail?.close();
    await db?.drop();
    if (env) removeDataDir(env);
  };

  try {
    fake = await startFakeOpenAI();
    db = await createTestDatabase();
    // A real SMTP server: the app mails verification and reset links to it (test/support/mail-sink.ts).
    mail = await startMailSink(path.join(projectRoot, "test-results", `mail-${process.pid}`));
    env = { ...testAppEnv(db, fake.url), SMTP_URL: mail.url, MAIL_SINK_DIR: mail.dir };
    app = await startAppServer({ env });
  } catch (err) {
    await teardown().catch(() => {});
    throw err;
  }

  project.provide("baseUrl", app.url);
  project.provide("fakeOpenAIUrl", fake.url);
  project.provide("databaseUrl", "url" in db ? db.url : "");
  project.provide("appEnv", JSON.stringify(env));
  return teardown;
}
