/**
 * A server of its own that dies mid-answer (recovery.test.ts, continuation.test.ts): its own
 * database and data directory, its own fake model settings, everything removed by
 * `cleanUpCrashServers()` in the file's afterAll.
 */
import { expect } from "vitest";
import { signUp } from "../support/client.ts";
import { createTestDatabase, removeDataDir, startAppServer, testAppEnv, type AppServer, type TestDatabase } from "../support/app-server.ts";
import { createChat, messages, pollTokens, send, waitForAnswer } from "../support/chat.ts";
import { expectInvariants } from "../support/invariants.ts";
import { sharedFakeOpenAIUrl } from "../support/context.ts";
import { logLines } from "./ops-helpers.ts";

const fakeUrl = sharedFakeOpenAIUrl();
const cleanups: (() => Promise<void>)[] = [];

export async function cleanUpCrashServers(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
}

/** Its own database and server: the shared server's PGlite directory cannot be opened twice. */
export async function ownServer(extraEnv: Record<string, string> = {}) {
  const db: TestDatabase = await createTestDatabase();
  const env = { ...testAppEnv(db, fakeUrl), LEASE_MS: "1500", ...extraEnv };
  cleanups.push(async () => {
    await db.drop();
    removeDataDir(env);
  });
  const start = async (): Promise<AppServer> => {
    const server = await startAppServer({ env });
    cleanups.push(() => server.stop("SIGKILL"));
    return server;
  };
  return { env, start };
}

/**
 * Kills the server mid-answer, starts another on the same database, and polls on from what
 * the client had: the answer must continue from its stored text.
 */
export async function killMidAnswer(content: string, extraEnv: Record<string, string> = {}) {
  const { start } = await ownServer(extraEnv);
  const first = await start();
  const client = await signUp(first.url);
  const chat = await createChat(client);
  const user = await send(client, chat.uuid, content);
  const answer = await waitForAnswer(client, chat.uuid, user.uuid);
  const before = await pollTokens(client, answer.uuid, { stopWhen: (r) => r.position > 60 });
  expect(before.status).toBe("pending");

  await first.stop("SIGKILL");
  const second = await start();
  // What the crash left (running, its lease expiring or expired, nobody running it) is a
  // state the invariants allow: the next poll resumes it.
  await expectInvariants(second.url, { leaseGraceMs: null });
  // The same session, through a new process on the same database.
  const moved = client.at(second.url);
  const resumed = await pollTokens(moved, answer.uuid, { from: { text: before.text, position: before.position }, timeoutMs: 40_000 });
  const { messages: stored } = await messages(moved, chat.uuid);
  expect(stored.map((m) => [m.role, m.status])).toEqual([
    ["user", "completed"],
    ["assistant", "completed"],
  ]);
  expect(stored[1]!.content).toBe(resumed.text);
  const runner = logLines(second.logs()).json.filter((l) => l.llmRequestId !== undefined);
  await expectInvariants(second.url);
  return { before, resumed, runner, moved, answer };
}

