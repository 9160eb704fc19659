/**
 * Graceful shutdown: on SIGTERM an answer in progress gets SHUTDOWN_GRACE_MS to finish; one
 * that needs longer is handed over (its lease released), so the next server's polls resume it
 * at once instead of waiting for the lease to run out. Nothing is lost.
 */
import { afterAll, describe, expect, it } from "vitest";
import { signUp } from "../support/client.ts";
import { parseDirective, scriptedText } from "../support/fake-openai.ts";
import { createTestDatabase, removeDataDir, startAppServer, testAppEnv } from "../support/app-server.ts";
import { createChat, messages, pollTokens, send, waitForAnswer } from "../support/chat.ts";
import { expectInvariants } from "../support/invariants.ts";
import { sharedFakeOpenAIUrl } from "../support/context.ts";

const fakeUrl = sharedFakeOpenAIUrl();
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

describe("graceful shutdown", () => {
  it("hands an unfinished answer over on SIGTERM; the next server completes it well before the lease would expire", async () => {
    const db = await createTestDatabase();
    // A long lease: only the handover (not expiry) can explain a quick resume.
    const env = { ...testAppEnv(db, fakeUrl), SHUTDOWN_GRACE_MS: "1000", LEASE_MS: "60000" };
    cleanups.push(async () => {
      await db.drop();
      removeDataDir(env);
    });
    const first = await startAppServer({ env });
    cleanups.push(() => first.stop("SIGKILL"));
    const client = await signUp(first.url);
    const chat = await createChat(client);
    const content = '[[fake text="handed over on shutdown " repeat=60 chunk=6 delay=25]]';
    const user = await send(client, chat.uuid, content);
    const answer = await waitForAnswer(client, chat.uuid, user.uuid);
    const before = await pollTokens(client, answer.uuid, { stopWhen: (r) => r.position > 30 });
    expect(before.status).toBe("pending");

    const stopping = Date.now();
    await first.stop("SIGTERM");
    expect(first.logs()).toMatch(/handing over 1 answer/);

    const second = await startAppServer({ env });
    cleanups.push(() => second.stop("SIGKILL"));
    const moved = client.at(second.url);
    const resumed = await pollTokens(moved, answer.uuid, { from: { text: before.text, position: before.position }, timeoutMs: 40_000 });
    expect(resumed.status).toBe("completed");
    expect(resumed.text).toBe(scriptedText(parseDirective(content)));
    expect(resumed.replacements).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(60_000);
    const { messages: stored } = await messages(moved, chat.uuid);
    expect(stored.map((m) => [m.role, m.status, m.content])).toEqual([
      ["user", "completed", content],
      ["assistant", "completed", resumed.text],
    ]);
    await expectInvariants(second.url);
  });
});
