/** Per-user limits: answers generating at once, and messages per hour; 429 with Retry-After. */
import { afterAll, describe, expect, it } from "vitest";
import { signUp } from "../support/client.ts";
import { createTestDatabase, removeDataDir, startAppServer, testAppEnv } from "../support/app-server.ts";
import { createChat, exchange, json, send, waitForAnswer } from "../support/chat.ts";
import { expectInvariants } from "../support/invariants.ts";
import { sharedFakeOpenAIUrl } from "../support/context.ts";

const fakeUrl = sharedFakeOpenAIUrl();
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function rejected(res: Response) {
  const body = await json<{ error: { code: string; message: string } }>(res, 429);
  expect(body.error.code).toBe("rate_limited");
  return { message: body.error.message, retryAfter: Number(res.headers.get("retry-after")) };
}

describe("per-user limits", () => {
  it("refuses a second concurrent answer and the third message in an hour, saying when to retry", async () => {
    const db = await createTestDatabase();
    const env = { ...testAppEnv(db, fakeUrl), RATE_LIMIT_MESSAGES_PER_HOUR: "2", RATE_LIMIT_CONCURRENT: "1" };
    const server = await startAppServer({ env });
    cleanups.push(async () => {
      await server.stop();
      await db.drop();
      removeDataDir(env);
    });
    const client = await signUp(server.url);
    const [a, b, c] = [await createChat(client), await createChat(client), await createChat(client)];

    const slow = await send(client, a.uuid, '[[fake text="busy " repeat=200 delay=20]]');
    const concurrent = await rejected(await client.post(`/chat/${b.uuid}/send`, { content: "second chat" }));
    expect(concurrent.message).toMatch(/answers generating/);
    expect(concurrent.retryAfter).toBeGreaterThan(0);

    // Once that answer stops, the second message of the hour goes through...
    const answer = await waitForAnswer(client, a.uuid, slow.uuid);
    await json(await client.post(`/chat/message/${answer.uuid}/cancel`), 200);
    expect((await exchange(client, b.uuid, "[[fake text=ok]]")).stored.content).toBe("ok");

    // ...and the third is refused until the oldest leaves the hour window.
    const hourly = await rejected(await client.post(`/chat/${c.uuid}/send`, { content: "third" }));
    expect(hourly.message).toMatch(/in the last hour; the limit is 2/);
    expect(hourly.retryAfter).toBeGreaterThan(3000);
    expect(hourly.retryAfter).toBeLessThanOrEqual(3600);
    // Nothing was stored for the refused message.
    const list = await json<{ messages: unknown[] }>(await client.get(`/chat/${c.uuid}/messages`), 200);
    expect(list.messages).toEqual([]);
    await expectInvariants(server.url);
  });
});
