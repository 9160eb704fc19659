/**
 * Quotas and usage accounting over real HTTP, on a server of their own: tokens per UTC day at
 * its edge (the provider's reported usage, from the fake model), per-user overrides set by an
 * admin (messages per hour, concurrency, 0 = no limit, null = back to the default), two sends at
 * once against a limit of one, and the usage a user sees (per day and model, estimated marked).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestClient } from "../support/client.ts";
import { createTestDatabase, removeDataDir, startAppServer, testAppEnv, type AppServer } from "../support/app-server.ts";
import { createChat, exchange, json, send, waitForAnswer, until } from "../support/chat.ts";
import { expectInvariants } from "../support/invariants.ts";
import { sharedFakeOpenAIUrl } from "../support/context.ts";

const fakeUrl = sharedFakeOpenAIUrl();
const cleanups: (() => Promise<void>)[] = [];
let server: AppServer;
let admin: TestClient;

interface Quota {
  name: string;
  limit: number;
  used: number;
  overridden: boolean;
  resetsAt: string | null;
  resetsIn: number | null;
}
interface Usage {
  quotas: Quota[];
  days: { day: string; model: string; requests: number; inputTokens: number; outputTokens: number; estimated: boolean }[];
  totals: { today: { requests: number; inputTokens: number; outputTokens: number } };
}

const usage = async (c: TestClient) => json<Usage>(await c.get("/api/account/usage"), 200);
const quota = (u: Usage, name: string) => u.quotas.find((q) => q.name === name)!;

async function refused(res: Response) {
  const body = await json<{ error: { code: string; message: string; details: { limit: string } } }>(res, 429);
  expect(body.error.code).toBe("rate_limited");
  return { message: body.error.message, limit: body.error.details.limit, retryAfter: Number(res.headers.get("retry-after")) };
}

async function userId(c: TestClient): Promise<string> {
  return (await c.session())!.user!.id!;
}

async function setQuota(c: TestClient, quota: Record<string, number | null>) {
  const body = JSON.stringify({ quota });
  return json(await admin.request(`/api/admin/users/${await userId(c)}`, { method: "PATCH", headers: { "content-type": "application/json" }, body }), 200);
}

const secondsToUtcMidnight = () => {
  const now = new Date();
  return (Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime()) / 1000;
};

beforeAll(async () => {
  const db = await createTestDatabase();
  const env = {
    ...testAppEnv(db, fakeUrl),
    RATE_LIMIT_MESSAGES_PER_HOUR: "50",
    RATE_LIMIT_CONCURRENT: "5",
    RATE_LIMIT_TOKENS_PER_DAY: "1000",
  };
  server = await startAppServer({ env });
  cleanups.push(async () => {
    await server.stop();
    await db.drop();
    removeDataDir(env);
  });
  // The first account of a fresh server is its admin.
  admin = await signUp(server.url);
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

describe("quotas", () => {
  it("tokens per day: under the limit a message goes through, at the limit it is refused until midnight UTC", async () => {
    const client = await signUp(server.url);
    const chat = await createChat(client);
    // 999 tokens as the provider reports them: one under the limit.
    await exchange(client, chat.uuid, "[[fake text=first usage_prompt=600 usage_completion=399]]");
    let u = await usage(client);
    expect(quota(u, "tokensPerDay")).toMatchObject({ limit: 1000, used: 999, resetsIn: null, overridden: false });
    // Still under: this one is allowed, and brings the day to exactly the limit.
    await exchange(client, chat.uuid, "[[fake text=second usage_prompt=1 usage_completion=0]]");
    u = await usage(client);
    expect(quota(u, "tokensPerDay")).toMatchObject({ used: 1000 });
    expect(quota(u, "tokensPerDay").resetsIn).toBeGreaterThan(0);

    const r = await refused(await client.post(`/chat/${chat.uuid}/send`, { content: "third" }));
    expect(r.limit).toBe("tokensPerDay");
    expect(r.message).toMatch(/^You used 1,000 tokens today; the limit is 1,000 a day\. It resets at midnight UTC, in \d+ (hours?|minutes?|seconds?)/);
    expect(Math.abs(r.retryAfter - secondsToUtcMidnight())).toBeLessThan(10);
    // Regenerate and edit count against the same quota.
    await refused(await client.post(`/chat/${chat.uuid}/regenerate`, {}));

    // An admin raises this user's limit: the next message goes through at once.
    await setQuota(client, { tokensPerDay: 5000 });
    expect(quota(await usage(client), "tokensPerDay")).toMatchObject({ limit: 5000, overridden: true, resetsIn: null });
    await exchange(client, chat.uuid, "[[fake text=after-raise usage_prompt=1 usage_completion=1]]");
    // 0 is no limit; null goes back to the default (1000, already used up).
    await setQuota(client, { tokensPerDay: 0 });
    expect(quota(await usage(client), "tokensPerDay")).toMatchObject({ limit: 0, resetsIn: null });
    await setQuota(client, { tokensPerDay: null });
    expect(quota(await usage(client), "tokensPerDay")).toMatchObject({ limit: 1000, overridden: false });
    await refused(await client.post(`/chat/${chat.uuid}/send`, { content: "refused again" }));
    await expectInvariants(server.url);
  });

  it("messages per hour, as overridden for one user: the Nth passes, the next is refused with the time it resets", async () => {
    const client = await signUp(server.url);
    await setQuota(client, { messagesPerHour: 2 });
    const chat = await createChat(client);
    await exchange(client, chat.uuid, "[[fake text=one]]");
    await exchange(client, chat.uuid, "[[fake text=two]]");
    const r = await refused(await client.post(`/chat/${chat.uuid}/send`, { content: "three" }));
    expect(r.limit).toBe("messagesPerHour");
    expect(r.message).toMatch(/^You sent 2 messages in the last hour; the limit is 2 an hour\. It resets as your oldest message leaves the hour: try again in \d+ (hours?|minutes?)( \d+ minutes?)? \(at \d\d:\d\d UTC\)\.$/);
    expect(r.retryAfter).toBeGreaterThan(3500);
    expect(r.retryAfter).toBeLessThanOrEqual(3600);
    const q = quota(await usage(client), "messagesPerHour");
    expect(q).toMatchObject({ limit: 2, used: 2, overridden: true });
    expect(Math.abs(q.resetsIn! - r.retryAfter)).toBeLessThan(5);
    // Another user is not affected by this user's override.
    const other = await signUp(server.url);
    expect(quota(await usage(other), "messagesPerHour")).toMatchObject({ limit: 50, overridden: false });
  });

  it("answers at once: two sends at the same moment against a limit of one, exactly one wins", async () => {
    const client = await signUp(server.url);
    await setQuota(client, { concurrent: 1 });
    const [a, b] = [await createChat(client), await createChat(client)];
    const slow = '[[fake text="busy " repeat=200 delay=20]]';
    const results = await Promise.all([a, b].map((c) => client.post(`/chat/${c.uuid}/send`, { content: slow })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 429]);
    const winnerAt = results.findIndex((r) => r.status === 201);
    const r = await refused(results[1 - winnerAt]!);
    expect(r.limit).toBe("concurrent");
    expect(r.message).toMatch(/the limit of answers generating at once \(1 of 1\)/);
    expect(r.retryAfter).toBe(5);
    // Stop the one generating: the other chat can send at once.
    const sent = (await results[winnerAt]!.json()) as { message: { uuid: string } };
    const [winner, other] = winnerAt === 0 ? [a, b] : [b, a];
    const answer = await waitForAnswer(client, winner.uuid, sent.message.uuid);
    await json(await client.post(`/chat/message/${answer.uuid}/cancel`), 200);
    expect((await exchange(client, other.uuid, "[[fake text=ok]]")).stored.content).toBe("ok");
    await expectInvariants(server.url);
  });
});

describe("usage accounting", () => {
  it("sums input and output tokens per UTC day and model; the demo model's and a stopped answer's are estimated", async () => {
    const client = await signUp(server.url);
    const fake = await createChat(client);
    await exchange(client, fake.uuid, "[[fake text=reported usage_prompt=30 usage_completion=7]]");
    await exchange(client, fake.uuid, "[[fake text=again usage_prompt=40 usage_completion=3]]");
    const demo = await createChat(client, { model: "demo" });
    const demoAnswer = await exchange(client, demo.uuid, "Tell me about polling");
    // A stopped answer: no usage from the provider, so its tokens are estimated from the text.
    const stopped = await createChat(client);
    const msg = await send(client, stopped.uuid, '[[fake text="abcdefgh" repeat=400 delay=20]]');
    const answer = await waitForAnswer(client, stopped.uuid, msg.uuid);
    await until("some text", async () => {
      const t = await json<{ position: number }>(await client.get(`/chat/message/${answer.uuid}/tokens/0`), 200);
      return t.position > 0 ? t : undefined;
    });
    await json(await client.post(`/chat/message/${answer.uuid}/cancel`), 200);

    const u = await usage(client);
    const today = new Date().toISOString().slice(0, 10);
    const fakeRow = u.days.find((d) => d.model === "compatible:fake-model")!;
    const demoRow = u.days.find((d) => d.model === "demo")!;
    expect(fakeRow.day).toBe(today);
    expect(fakeRow.requests).toBe(3);
    // The two finished answers as reported (30+40 in, 7+3 out), plus the stopped one's estimate.
    expect(fakeRow.inputTokens).toBeGreaterThan(70);
    expect(fakeRow.outputTokens).toBeGreaterThan(10);
    expect(fakeRow.estimated).toBe(true);
    expect(demoRow).toMatchObject({ day: today, requests: 1, estimated: true });
    expect(demoRow.outputTokens).toBe(Math.ceil([...demoAnswer.stored.content].length / 4));
    expect(u.totals.today.requests).toBe(4);
    expect(u.totals.today.inputTokens + u.totals.today.outputTokens).toBe(quota(u, "tokensPerDay").used);

    // Only the two reported answers, on a user of their own: exact sums, not estimated.
    const exact = await signUp(server.url);
    const chat = await createChat(exact);
    await exchange(exact, chat.uuid, "[[fake text=x usage_prompt=11 usage_completion=2]]");
    await exchange(exact, chat.uuid, "[[fake text=y usage_prompt=13 usage_completion=5]]");
    expect((await usage(exact)).days).toEqual([{ day: today, model: "compatible:fake-model", requests: 2, inputTokens: 24, outputTokens: 7, estimated: false }]);
    await expectInvariants(server.url);
  });

  it("the account page shows the limits and the usage", async () => {
    const client = await signUp(server.url);
    const chat = await createChat(client);
    await exchange(client, chat.uuid, "[[fake text=page usage_prompt=120 usage_completion=3]]");
    const res = await client.get("/account");
    const html = (await res.text()).replaceAll("<!-- -->", "");
    expect(res.status).toBe(200);
    expect(html).toContain("Tokens per day");
    expect(html).toContain("123 of 1,000");
    expect(html).toContain("compatible:fake-model");
  });
});
