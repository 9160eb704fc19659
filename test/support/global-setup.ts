/**
 * Global setup of the `integration` vitest project: one shared stack per worker (the project's
 * maxWorkers, INTEGRATION_WORKERS): a fake OpenAI server, a fresh database and an app server
 * (the built app). The files a worker runs use its stack (test/support/context.ts picks it by
 * VITEST_POOL_ID), so files in different workers never see each other's users, requests or
 * invariants. Each app's output is written to test-results/integration-app-server-<database>-N.log
 * at the end (CI runs PostgreSQL and PGlite at the same time).
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
import type { SharedStack } from "./context.ts";

interface Stack {
  fake?: FakeOpenAI;
  mail?: MailSink;
  db?: TestDatabase;
  env?: Record<string, string>;
  app?: AppServer;
}

async function teardownStack(s: Stack, index: number): Promise<void> {
  if (s.app) {
    await s.app.stop();
    const dir = path.join(projectRoot, "test-results");
    mkdirSync(dir, { recursive: true });
    const database = s.db && "url" in s.db ? "postgres" : "pglite";
    writeFileSync(path.join(dir, `integration-app-server-${database}-${index + 1}.log`), s.app.logs());
  }
  await s.fake?.close();
  await s.mail?.close();
  await s.db?.drop();
  if (s.env) removeDataDir(s.env);
}

async function startStack(s: Stack, index: number): Promise<SharedStack> {
  s.fake = await startFakeOpenAI();
  s.db = await createTestDatabase();
  // A real SMTP server: the app mails verification and reset links to it (test/support/mail-sink.ts).
  s.mail = await startMailSink(path.join(projectRoot, "test-results", `mail-${process.pid}-${index + 1}`));
  s.env = { ...testAppEnv(s.db, s.fake.url), SMTP_URL: s.mail.url, MAIL_SINK_DIR: s.mail.dir };
  s.app = await startAppServer({ env: s.env });
  return {
    baseUrl: s.app.url,
    fakeOpenAIUrl: s.fake.url,
    databaseUrl: "url" in s.db ? s.db.url : "",
    appEnv: s.env,
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const count = Math.max(1, project.config.maxWorkers);
  const stacks: Stack[] = Array.from({ length: count }, () => ({}));
  const teardown = async () => {
    await Promise.all(stacks.map((s, i) => teardownStack(s, i).catch(() => {})));
  };
  let provided: SharedStack[];
  try {
    provided = await Promise.all(stacks.map((s, i) => startStack(s, i)));
  } catch (err) {
    await teardown();
    throw err;
  }
  project.provide("sharedStacks", JSON.stringify(provided));
  return teardown;
}
