/**
 * The admin area over real HTTP, on a fresh server: who is admin (with ADMIN_EMAILS set, its
 * addresses once verified from their mail, and not the first account; four first sign-ups at
 * once get nothing), the JSON API (404 for everyone else),
 * disabling a user in the middle of a session (their next poll, send and API-token request stop
 * at once, their answer in flight is stopped), quotas validated, and the generations in flight
 * and failed (never their text).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymous, signUp, uniqueEmail, verifyEmail, type TestClient } from "../support/client.ts";
import { providedAppEnv } from "../support/context.ts";
import { createTestDatabase, removeDataDir, startAppServer, testAppEnv, type AppServer, type TestDatabase } from "../support/app-server.ts";
import { createChat, exchange, json, send, waitForAnswer, until } from "../support/chat.ts";
import { expectInvariants } from "../support/invariants.ts";
import { sharedFakeOpenAIUrl } from "../support/context.ts";
import { checkedFetch } from "../support/contract.ts";

const fakeUrl = sharedFakeOpenAIUrl();
const BOSS = "boss@example.test";
let server: AppServer;
let db: TestDatabase;
let env: Record<string, string>;
let first: TestClient[];
let admin: TestClient;

interface AdminUser {
  id: string;
  email: string | null;
  role: string;
  guest: boolean;
  disabled: boolean;
  quota: Record<string, number>;
  limits: Record<string, number>;
  usage: { tokensToday: number; tokens30d: number; requests30d: number; messagesLastHour: number; active: number };
}

const idOf = async (c: TestClient) => (await c.session())!.user!.id!;
const patch = (c: TestClient, id: string, body: unknown) =>
  c.request(`/api/admin/users/${id}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function expectError(res: Response, status: number, code: string) {
  const body = await json<{ error: { code: string; message: string } }>(res, status);
  expect(body.error.code).toBe(code);
  return body.error.message;
}

beforeAll(async () => {
  db = await createTestDatabase();
  // The shared SMTP server: BOSS verifies the address from the mail it received.
  const shared = providedAppEnv();
  env = { ...testAppEnv(db, fakeUrl), ADMIN_EMAILS: ` Someone@Else.test, ${BOSS.toUpperCase()} `, SMTP_URL: shared.SMTP_URL!, MAIL_SINK_DIR: shared.MAIL_SINK_DIR! };
  server = await startAppServer({ env });
  // Four first sign-ups at the same moment: the operator named the admins, so none of them is one.
  first = await Promise.all([0, 1, 2, 3].map(() => signUp(server.url)));
  const roles = await Promise.all(first.map(async (c) => (await c.get("/api/admin/users")).status));
  expect(roles).toEqual([404, 404, 404, 404]);
  // The address in ADMIN_EMAILS is an admin once verified, not before.
  admin = await signUp(server.url, { email: BOSS });
  expect((await admin.get("/api/admin/users")).status).toBe(404);
  await verifyEmail(admin, shared.MAIL_SINK_DIR!);
});

afterAll(async () => {
  await server?.stop();
  await db?.drop();
  if (env) removeDataDir(env);
});

describe("who is an admin", () => {
  it("the verified emails in ADMIN_EMAILS (read at every check); nobody else", async () => {
    const users = (await json<{ users: AdminUser[] }>(await admin.get("/api/admin/users"), 200)).users;
    expect(users.filter((u) => u.role === "admin").map((u) => u.email)).toEqual([BOSS]);
    const boss = admin;
    expect((await boss.get("/api/admin/generations")).status).toBe(200);
    const page = await boss.get("/admin");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Generating now");
    // Everyone else: the admin API and page do not exist.
    const user = await signUp(server.url);
    await expectError(await user.get("/api/admin/users"), 404, "not_found");
    await expectError(await patch(user, await idOf(user), { quota: { concurrent: 99 } }), 404, "not_found");
    await expectError(await patch(user, await idOf(user), { quota: "garbage" }), 404, "not_found");
    expect((await user.get("/admin")).status).toBe(404);
    await expectError(await anonymous(server.url).get("/api/admin/users"), 401, "unauthorized");
  });

  it("lists users with their usage, and finds them by email", async () => {
    const user = await signUp(server.url, { email: uniqueEmail("findme") });
    const chat = await createChat(user);
    await exchange(user, chat.uuid, "[[fake text=counted usage_prompt=10 usage_completion=5]]");
    const found = await json<{ users: AdminUser[]; nextCursor: string | null }>(await admin.get(`/api/admin/users?q=${encodeURIComponent(user.email)}`), 200);
    expect(found.users).toHaveLength(1);
    expect(found.users[0]).toMatchObject({ email: user.email, role: "user", guest: false, disabled: false, quota: {} });
    expect(found.users[0]!.usage).toMatchObject({ tokensToday: 15, tokens30d: 15, requests30d: 1, messagesLastHour: 1, active: 0 });
    // Pages by cursor, newest first, without repeats.
    const page1 = await json<{ users: AdminUser[]; nextCursor: string | null }>(await admin.get("/api/admin/users?limit=2"), 200);
    expect(page1.users).toHaveLength(2);
    const page2 = await json<{ users: AdminUser[] }>(await admin.get(`/api/admin/users?limit=2&cursor=${page1.nextCursor}`), 200);
    expect(page2.users.map((u) => u.id)).not.toContain(page1.users[0]!.id);
    await expectError(await admin.get("/api/admin/users?cursor=bogus"), 400, "validation_error");
    await expectError(await admin.get("/api/admin/users?limit=0"), 400, "validation_error");
    const one = await json<{ user: AdminUser }>(await admin.get(`/api/admin/users/${found.users[0]!.id}`), 200);
    expect(one.user.email).toBe(user.email);
    await expectError(await admin.get(`/api/admin/users/${randomUUID()}`), 404, "not_found");
    await expectError(await admin.get("/api/admin/users/not-a-uuid"), 400, "validation_error");
  });
});

describe("quotas set by an admin", () => {
  it("takes non-negative integers, null to clear; anything else is a 400", async () => {
    const user = await signUp(server.url);
    const id = await idOf(user);
    for (const bad of [
      { quota: { messagesPerHour: -1 } },
      { quota: { tokensPerDay: 1.5 } },
      { quota: { concurrent: "3" } },
      { quota: { unknown: 1 } },
      { quota: null },
      { disabled: "yes" },
      {},
      { role: "admin" },
    ]) {
      await expectError(await patch(admin, id, bad), 400, "validation_error");
    }
    let u = (await json<{ user: AdminUser }>(await patch(admin, id, { quota: { messagesPerHour: 7, concurrent: 0 } }), 200)).user;
    expect(u.quota).toEqual({ messagesPerHour: 7, concurrent: 0 });
    expect(u.limits).toMatchObject({ messagesPerHour: 7, concurrent: 0 });
    u = (await json<{ user: AdminUser }>(await patch(admin, id, { quota: { messagesPerHour: null } }), 200)).user;
    expect(u.quota).toEqual({ concurrent: 0 });
    expect(u.limits.messagesPerHour).toBe(100000); // the test server's default
    await expectError(await patch(admin, randomUUID(), { quota: { concurrent: 1 } }), 404, "not_found");
  });
});

describe("disabling a user", () => {
  it("stops their next poll, send and API-token request at once, and their answer in flight", async () => {
    const user = await signUp(server.url);
    const id = await idOf(user);
    const chat = await createChat(user);
    const other = await createChat(user);
    const msg = await send(user, chat.uuid, '[[fake text="streaming " repeat=500 delay=20]]');
    const answer = await waitForAnswer(user, chat.uuid, msg.uuid);
    await until("the answer generating", async () => {
      const t = await json<{ position: number }>(await user.get(`/chat/message/${answer.uuid}/tokens/0`), 200);
      return t.position > 0 ? t : undefined;
    });
    // An API token of theirs.
    const { token } = await json<{ token: string }>(await user.post("/api/tokens", { name: "script" }), 201);
    expect((await bearer(token, "/chat/list")).status).toBe(200);
    // And a public link to one of their chats.
    const { share } = await json<{ share: { shareUuid: string } }>(await user.post(`/api/chats/${other.uuid}/share`), 201);
    expect((await anonymous(server.url).get(`/api/share/${share.shareUuid}/messages`)).status).toBe(200);

    const before = await json<{ inFlight: { uuid: string; user: { email: string }; chatUuid: string; model: string; status: string }[] }>(
      await admin.get("/api/admin/generations"),
      200,
    );
    const live = before.inFlight.find((g) => g.chatUuid === chat.uuid);
    expect(live).toMatchObject({ user: { email: user.email }, model: "compatible:fake-model", status: "running" });

    const disabled = await json<{ user: AdminUser }>(await patch(admin, id, { disabled: true }), 200);
    expect(disabled.user.disabled).toBe(true);

    // The very next requests, with the same (still unexpired) session cookie:
    await expectError(await user.get(`/chat/${chat.uuid}/messages/${msg.uuid}`), 403, "account_disabled");
    await expectError(await user.get(`/chat/message/${answer.uuid}/tokens/0`), 403, "account_disabled");
    await expectError(await user.get(`/chat/${chat.uuid}/messages`), 403, "account_disabled");
    const refused = await expectError(await user.post(`/chat/${other.uuid}/send`, { content: "hello?" }), 403, "account_disabled");
    expect(refused).toMatch(/disabled by an administrator/);
    await expectError(await user.get("/api/account/usage"), 403, "account_disabled");
    expect((await user.get("/chat")).status).toBe(307);
    for (const p of ["/chat/list", `/chat/message/${answer.uuid}/tokens/0`, "/api/tokens", "/api/export"]) {
      await expectError(await bearer(token, p), 403, "account_disabled");
    }
    await expectError(await user.get("/api/export"), 403, "account_disabled");
    // Their public links close with them.
    expect((await anonymous(server.url).get(`/api/share/${share.shareUuid}/messages`)).status).toBe(404);
    expect((await anonymous(server.url).get(`/share/${share.shareUuid}`)).status).toBe(404);

    // Their answer in flight was stopped, its partial text kept.
    const after = await json<{ inFlight: { chatUuid: string }[] }>(await admin.get("/api/admin/generations"), 200);
    expect(after.inFlight.find((g) => g.chatUuid === chat.uuid)).toBeUndefined();

    // Enabled again: the same session works again.
    expect((await json<{ user: AdminUser }>(await patch(admin, id, { disabled: false }), 200)).user.disabled).toBe(false);
    const list = await json<{ messages: { uuid: string; status: string }[] }>(await user.get(`/chat/${chat.uuid}/messages`), 200);
    expect(list.messages.find((m) => m.uuid === answer.uuid)?.status).toBe("cancelled");
    if (token) expect((await bearer(token, "/chat/list")).status).toBe(200);
    expect((await anonymous(server.url).get(`/api/share/${share.shareUuid}/messages`)).status).toBe(200);
    expect((await exchange(user, other.uuid, "[[fake text=back]]")).stored.content).toBe("back");
    await expectInvariants(server.url);
  });

  it("an admin cannot disable themselves", async () => {
    const message = await expectError(await patch(admin, await idOf(admin), { disabled: true }), 403, "forbidden");
    expect(message).toMatch(/cannot disable your own account/);
    expect((await admin.get("/api/admin/users")).status).toBe(200);
  });
});

describe("generations", () => {
  it("lists the failed ones with their error, never any message text", async () => {
    const user = await signUp(server.url);
    const chat = await createChat(user);
    const secret = `secret-${randomBytes(6).toString("hex")}`;
    const failed = await exchange(user, chat.uuid, `${secret} [[fake status=401]]`);
    expect(failed.stored.status).toBe("failed");
    const res = await admin.get("/api/admin/generations");
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toContain(secret);
    const body = JSON.parse(text) as { failed: { chatUuid: string; user: { email: string }; status: string; error: string; model: string; startedAt: string }[] };
    const row = body.failed.find((g) => g.chatUuid === chat.uuid);
    expect(row).toMatchObject({ user: { email: user.email }, status: "failed", model: "compatible:fake-model" });
    expect(row!.error).toBe(failed.stored.error);
    expect(row!.startedAt).toBeTruthy();
    const page = await (await admin.get("/admin")).text();
    expect(page).toContain(chat.uuid);
    expect(page).not.toContain(secret);
  });
});

function bearer(token: string, path: string): Promise<Response> {
  return checkedFetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
}
