/**
 * A server process that dies mid-answer loses nothing: its lease runs out and the next poll,
 * on any server, dispatches the generation again (attempt + 1). A client that had part of the
 * interrupted text gets append:false once, then consistent text. After MAX_ATTEMPTS the
 * answer ends failed ("interrupted"); the user's message is never lost.
 */
import { afterAll, describe, expect, it } from "vitest";
import { signUp } from "../support/client.ts";
import { parseDirective, scriptedText } from "../support/fake-openai.ts";
import { createTestDatabase, removeDataDir, startAppServer, testAppEnv, type AppServer, type TestDatabase } from "../support/app-server.ts";
import { createChat, json, messages, pollTokens, send, waitForAnswer, type TokensJson } from "../support/chat.ts";
import { expectInvariants } from "../support/invariants.ts";
import { sharedFakeOpenAIUrl } from "../support/context.ts";

const fakeUrl = sharedFakeOpenAIUrl();
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/** Its own database and server: the shared server's PGlite directory cannot be opened twice. */
async function ownServer(extraEnv: Record<string, string> = {}) {
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

describe("recovery after a crash", () => {
  it("resumes an answer whose server was killed with SIGKILL; the client sees append:false once", async () => {
    const { start } = await ownServer();
    const first = await start();
    const client = await signUp(first.url);
    const chat = await createChat(client);
    const content = '[[fake text="Recovered text survives a crash. " repeat=60 chunk=6 delay=20]]';
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
    expect(resumed.status).toBe("completed");
    expect(resumed.text).toBe(scriptedText(parseDirective(content)));
    expect(resumed.replacements).toBe(1);

    const { messages: stored } = await messages(moved, chat.uuid);
    expect(stored.map((m) => [m.role, m.status])).toEqual([
      ["user", "completed"],
      ["assistant", "completed"],
    ]);
    expect(stored[1]!.content).toBe(resumed.text);
    // A client that had nothing yet simply appends from 0.
    const fresh = await json<TokensJson>(await moved.get(`/chat/message/${answer.uuid}/tokens/0`), 200);
    expect(fresh.append).toBe(true);
    await expectInvariants(second.url);
  });

  it("ends failed after MAX_ATTEMPTS interrupted attempts, keeping the user's message", async () => {
    const { start } = await ownServer({ MAX_ATTEMPTS: "1" });
    const first = await start();
    const client = await signUp(first.url);
    const chat = await createChat(client);
    const content = '[[fake text="never finishes " repeat=200 chunk=5 delay=30]]';
    const user = await send(client, chat.uuid, content);
    const answer = await waitForAnswer(client, chat.uuid, user.uuid);
    await pollTokens(client, answer.uuid, { stopWhen: (r) => r.position > 20 });
    await first.stop("SIGKILL");

    const second = await start();
    const moved = client.at(second.url);
    const final = await pollTokens(moved, answer.uuid, { everyMs: 200, timeoutMs: 30_000 });
    expect(final.status).toBe("failed");
    expect(final.error).toMatch(/interrupted/);
    expect(final.text.length).toBeGreaterThan(20);
    const list = await messages(moved, chat.uuid);
    expect(list.messages[0]).toMatchObject({ uuid: user.uuid, content, status: "completed" });
    await expectInvariants(second.url);
  });
});
