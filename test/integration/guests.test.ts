/**
 * Guests over real HTTP: "try without an account" signs in a new guest user through Auth.js
 * (only with ALLOW_GUESTS=true; 404 otherwise), with the tighter guest quotas, counted per
 * address like sign-ups; signing up as a guest turns the same user into an account, every chat
 * kept, and the session then says who they are.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymous, SESSION_COOKIE, signInAsGuest, uniqueEmail, type TestClient } from "../support/client.ts";
import { createTestDatabase, removeDataDir, startAppServer, testAppEnv, type AppServer } from "../support/app-server.ts";
import { createChat, exchange, json } from "../support/chat.ts";
import { expectInvariants } from "../support/invariants.ts";
import { sharedBaseUrl, sharedFakeOpenAIUrl } from "../support/context.ts";

const fakeUrl = sharedFakeOpenAIUrl();
const sharedUrl = sharedBaseUrl();
let server: AppServer;
const cleanups: (() => Promise<void>)[] = [];

interface Usage {
  quotas: { name: string; limit: number; used: number }[];
}

let address = 0;
/** A client address of its own (TRUST_PROXY=1 on this server), so the per-address limit is per test. */
const from = () => ({ "x-forwarded-for": `198.51.100.${++address}` });

async function guest(headers = from()): Promise<TestClient> {
  const { client, res } = await signInAsGuest(server.url, headers);
  expect(res.status).toBe(302);
  expect(client.jar.has(SESSION_COOKIE)).toBe(true);
  return client;
}

beforeAll(async () => {
  const db = await createTestDatabase();
  const env = {
    ...testAppEnv(db, fakeUrl),
    ALLOW_GUESTS: "true",
    GUEST_MESSAGES_PER_HOUR: "2",
    GUEST_TOKENS_PER_DAY: "5000",
    GUEST_CONCURRENT: "1",
    REGISTER_MAX_PER_IP: "3",
    TRUST_PROXY: "1",
  };
  server = await startAppServer({ env });
  cleanups.push(async () => {
    await server.stop();
    await db.drop();
    removeDataDir(env);
  });
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

describe("guests", () => {
  it("a guest is a signed-in user with the guest limits, and never an admin", async () => {
    const client = await guest();
    const session = await client.session();
    expect(session?.user?.id).toBeTruthy();
    expect(session?.user?.email ?? null).toBeNull();
    const usage = await json<Usage>(await client.get("/api/account/usage"), 200);
    expect(usage.quotas.map((q) => [q.name, q.limit])).toEqual([
      ["messagesPerHour", 2],
      ["tokensPerDay", 5000],
      ["concurrent", 1],
      // Files a guest may keep (GUEST_STORAGE_BYTES: docs/design.md §3.13).
      ["storageBytes", 50 * 1024 * 1024],
    ]);
    // The first user of this server, but a guest: not the admin.
    expect((await client.get("/api/admin/users")).status).toBe(404);
    const page = await client.get("/chat");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Create an account to keep your chats");

    const chat = await createChat(client);
    await exchange(client, chat.uuid, "[[fake text=one]]");
    await exchange(client, chat.uuid, "[[fake text=two]]");
    const res = await client.post(`/chat/${chat.uuid}/send`, { content: "three" });
    const body = await json<{ error: { code: string; message: string } }>(res, 429);
    expect(body.error.message).toMatch(/the limit is 2 an hour.*Create an account for higher limits\.$/);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(3000);
  });

  it("signing up as a guest keeps the same user and every chat; the session then carries the email", async () => {
    const client = await guest();
    const id = (await client.session())!.user!.id!;
    const chat = await createChat(client, { title: "Guest chat" });
    await exchange(client, chat.uuid, "[[fake text=kept-answer]]");

    const email = uniqueEmail("converted");
    const password = "a long enough password";
    const reg = await json<{ user: { id: string; email: string; converted: boolean } }>(
      await client.post("/api/register", { email, password, name: "Former Guest" }),
      201,
    );
    expect(reg.user).toMatchObject({ id, email, converted: true });
    // Right away, with the guest's cookie still: no longer a guest, the account's limits.
    const usage = await json<Usage>(await client.get("/api/account/usage"), 200);
    expect(usage.quotas.find((q) => q.name === "messagesPerHour")!.limit).toBe(100000);

    // Signing in with the new credentials (as the sign-up page does) gives a session that says so.
    const res = await client.signIn(email, password);
    expect(res.status).toBe(302);
    const session = await client.session();
    expect(session?.user).toMatchObject({ id, email, name: "Former Guest" });
    const list = await json<{ chats: { uuid: string; title: string }[] }>(await client.get("/chat/list"), 200);
    expect(list.chats.map((c) => c.uuid)).toContain(chat.uuid);
    const msgs = await json<{ messages: { content: string }[] }>(await client.get(`/chat/${chat.uuid}/messages`), 200);
    expect(msgs.messages.map((m) => m.content)).toContain("kept-answer");
    const page = await (await client.get("/chat")).text();
    expect(page).not.toContain("Create an account to keep your chats");

    // From another device, the same account and chats.
    const elsewhere = anonymous(server.url, from());
    expect((await elsewhere.signIn(email, password)).status).toBe(302);
    expect((await json<{ chats: { uuid: string }[] }>(await elsewhere.get("/chat/list"), 200)).chats.map((c) => c.uuid)).toContain(chat.uuid);

    // A second sign-up from the converted session is an account of its own, not another conversion.
    const again = await json<{ user: { id: string; converted: boolean } }>(
      await client.post("/api/register", { email: uniqueEmail("second"), password }),
      201,
    );
    expect(again.user.converted).toBe(false);
    expect(again.user.id).not.toBe(id);
    await expectInvariants(server.url);
  });

  it("a guest signing up with a taken email gets 409 and stays a guest with their chats", async () => {
    const headers = from();
    const taken = anonymous(server.url, headers);
    const email = uniqueEmail("taken");
    expect((await taken.post("/api/register", { email, password: "password one" })).status).toBe(201);
    const client = await guest(from());
    const chat = await createChat(client);
    const res = await client.post("/api/register", { email, password: "password two" });
    const body = await json<{ error: { code: string } }>(res, 409);
    expect(body.error.code).toBe("email_taken");
    expect((await json<Usage>(await client.get("/api/account/usage"), 200)).quotas[0]!.limit).toBe(2);
    expect((await json<{ chats: { uuid: string }[] }>(await client.get("/chat/list"), 200)).chats.map((c) => c.uuid)).toContain(chat.uuid);
  });

  it("guests count towards the sign-ups allowed per address", async () => {
    const headers = from();
    for (let i = 0; i < 3; i++) await guest(headers);
    const { client, res } = await signInAsGuest(server.url, headers);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/code=rate_limited/);
    expect(client.jar.has(SESSION_COOKIE)).toBe(false);
    // So do sign-ups: the address is used up for both.
    expect((await anonymous(server.url, headers).post("/api/register", { email: uniqueEmail(), password: "password123" })).status).toBe(429);
  });
});

describe("without ALLOW_GUESTS", () => {
  it("the guest endpoints answer 404 and the sign-in page offers no guest button", async () => {
    const client = anonymous(sharedUrl);
    for (const path of ["/api/auth/callback/guest", "/api/auth/signin/guest"]) {
      const res = await client.post(path, { csrfToken: "x" }, { form: true });
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
    const { res } = await signInAsGuest(sharedUrl);
    expect(res.status).toBe(404);
    const page = await (await client.get("/signin")).text();
    expect(page).not.toContain("Try without an account");
    const withGuests = await (await anonymous(server.url).get("/signin")).text();
    expect(withGuests).toContain("Try without an account");
  });
});
