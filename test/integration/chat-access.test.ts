/**
 * Access control over every route of the app, from the table in route-table.ts (which must
 * name every route file under app/): no session answers 401 JSON (pages: a redirect to
 * /signin); another user's chat or message answers 404 exactly like a missing one; every
 * unsafe method refuses a cross-site request; malformed input answers 4xx, never 500.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { appRoutes } from "../support/app-routes.ts";
import { anonymous, SESSION_COOKIE, signUp, type TestClient } from "../support/client.ts";
import { createChat, json, type TokensJson } from "../support/chat.ts";
import { call, entries, isUnsafe, makeIds, ROUTES, type Ids } from "./route-table.ts";
import { sharedBaseUrl } from "../support/context.ts";
import { checkedFetch } from "../support/contract.ts";

const baseUrl = sharedBaseUrl();

async function expectError(res: Response, status: number, code?: string) {
  const text = await res.text();
  expect(res.status, `${res.url} ${text.slice(0, 300)}`).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(body.error.message.length).toBeGreaterThan(0);
  if (code) expect(body.error.code).toBe(code);
}

function expectSignInRedirect(res: Response) {
  expect([302, 303, 307], `${res.url} answered ${res.status}`).toContain(res.status);
  expect(new URL(res.headers.get("location") ?? "", baseUrl).pathname).toBe("/signin");
}

let owner: TestClient;
let ids: Ids;

beforeAll(async () => {
  owner = await signUp(baseUrl);
  ids = await makeIds(owner, "[[fake text=secret-answer]]");
});

const PAGE_ACCESS = new Set(["page", "owner-page", "admin-page", "public-page"]);

describe("the route table", () => {
  it("names every route file and exported method under app/, and nothing else", () => {
    const found = appRoutes();
    const missing = found.filter((r) => !(r.key in ROUTES)).map((r) => `${r.key} (${r.file})`);
    expect(missing, "route files with no entry in test/integration/route-table.ts").toEqual([]);
    const keys = new Set(found.map((r) => r.key));
    expect(Object.keys(ROUTES).filter((k) => !keys.has(k)), "entries that name no route file").toEqual([]);
    for (const r of found) expect(PAGE_ACCESS.has(ROUTES[r.key]!.access) || r.kind === "route", r.key).toBe(true);
    for (const r of found.filter((x) => x.kind === "page")) expect(PAGE_ACCESS.has(ROUTES[r.key]!.access), r.key).toBe(true);
  });
});

describe("access control", () => {
  it.each(entries((e) => e.access === "owner" || e.access === "user" || e.access === "admin"))("$key without a session answers 401 JSON", async (e) => {
    await expectError(await call(anonymous(baseUrl), e, ids), 401, "unauthorized");
  });

  it.each(entries((e) => e.access === "page" || e.access === "owner-page" || e.access === "admin-page"))("$key without a session redirects to /signin", async (e) => {
    expectSignInRedirect(await call(anonymous(baseUrl), e, ids));
  });

  it.each(entries((e) => e.access === "owner"))("$key on another user's chat answers 404 like a missing one", async (e) => {
    const intruder = await signUp(baseUrl);
    const theirs = await call(intruder, e, ids);
    const missing = await call(intruder, e, { chat: randomUUID(), message: randomUUID(), share: randomUUID(), token: randomUUID(), user: randomUUID() });
    await expectError(theirs, 404);
    await expectError(missing, 404);
  });

  it.each(entries((e) => e.access === "admin"))("$key answers 404 to a signed-in user who is not an admin, like a missing path", async (e) => {
    // Not the first account of this server (the owner was made before): an ordinary user.
    const user = await signUp(baseUrl);
    await expectError(await call(user, e, ids), 404, "not_found");
    // Even malformed input is not looked at: the same 404.
    await expectError(await call(user, e, { ...ids, user: "not-a-uuid" }), 404, "not_found");
  });

  it.each(entries((e) => e.access === "admin-page"))("$key answers the 404 page to a signed-in user who is not an admin", async (e) => {
    const user = await signUp(baseUrl);
    const res = await call(user, e, ids);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("Nothing here");
  });

  it.each(entries((e) => e.access === "owner-page"))("$key of another user's chat answers 404 like a missing one", async (e) => {
    const intruder = await signUp(baseUrl);
    for (const which of [ids, { ...ids, chat: randomUUID(), message: randomUUID() }]) {
      const res = await call(intruder, e, which);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain("secret-answer");
    }
  });

  it("GET /lite with another user's chat shows it as not found, like a missing one", async () => {
    const intruder = await signUp(baseUrl);
    for (const chat of [ids.chat, randomUUID()]) {
      const res = await intruder.get(`/lite?chat=${chat}`);
      const page = await res.text();
      expect(res.status).toBe(200);
      expect(page).toContain("That chat was not found.");
      expect(page).not.toContain("secret-answer");
    }
  });

  it.each(entries((e) => e.access === "owner"))("$key with a malformed uuid answers 400", async (e) => {
    for (const bad of ["not-a-uuid", "1234", "..%2F..%2Fetc%2Fpasswd", "' or 1=1 --"]) {
      await expectError(await call(owner, e, { chat: bad, message: bad, share: bad, token: bad, user: bad }), 400, "validation_error");
    }
  });

  it.each(entries((e) => e.access === "share"))("$key needs no session; an unknown or private link answers 404, a malformed one 400", async (e) => {
    const res = await call(anonymous(baseUrl), e, ids);
    expect(res.status, `${e.key}: ${await res.text()}`).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const signedIn = await call(owner, e, ids);
    await signedIn.arrayBuffer();
    expect(signedIn.status).toBe(200);
    // The chat's own uuid is not its link; neither is a random one.
    for (const share of [randomUUID(), ids.chat]) await expectError(await call(anonymous(baseUrl), e, { ...ids, share }), 404, "not_found");
    // Another user's message through this chat's link.
    const other = await makeIds(await signUp(baseUrl));
    if (e.key.includes("[last_uuid]") || e.key.includes("[message_uuid]")) {
      await expectError(await call(anonymous(baseUrl), e, { ...ids, message: other.message }), 404);
    }
    for (const bad of ["not-a-uuid", "' or 1=1 --"]) await expectError(await call(anonymous(baseUrl), e, { ...ids, share: bad }), 400, "validation_error");
  });

  it.each(entries((e) => ["public", "public-page", "static"].includes(e.access)))("$key needs no session", async (e) => {
    const res = await call(anonymous(baseUrl), e, ids);
    await res.arrayBuffer();
    // POST /api/register is called with a malformed body: 400, not 401.
    expect(res.status, e.key).toBe(e.method === "POST" ? 400 : e.key === "GET /" ? 307 : 200);
  });

  it.each(entries((e) => e.access === "ops-token"))("$key is not opened by a session, only by its bearer token", async (e) => {
    for (const client of [anonymous(baseUrl), owner]) {
      const res = await call(client, e, ids);
      const text = await res.text();
      expect([401, 404], `${e.key}: ${res.status} ${text.slice(0, 200)}`).toContain(res.status);
      expect(JSON.parse(text)).toHaveProperty("error.code");
    }
  });

  it("GET /api/metrics does not exist without METRICS_TOKEN (the token itself: ops-metrics.test.ts)", async () => {
    await expectError(await anonymous(baseUrl).get("/api/metrics"), 404, "not_found");
    await expectError(await owner.get("/api/metrics"), 404, "not_found");
  });

  const crossSite = [
    { name: "a foreign Origin", headers: { origin: "https://evil.example" } },
    { name: "Sec-Fetch-Site: cross-site", headers: { origin: "", "sec-fetch-site": "cross-site" } },
    { name: "Origin: null", headers: { origin: "null" } },
  ];
  const unsafe = entries((e) => isUnsafe(e.method) && e.access !== "authjs");
  it.each(unsafe.flatMap((e) => crossSite.map((c) => ({ ...e, how: c.name, extra: c.headers }))))(
    "$key refuses a cross-site request ($how) with 403",
    async (e) => {
      // The owner's own session and ids: only the origin check stands between them and the change.
      const headers = Object.fromEntries(Object.entries(e.extra).filter(([, v]) => v !== ""));
      const client = e.extra.origin === "" ? withoutOrigin(owner) : owner;
      await expectError(await call(client, e, ids, headers), 403, "forbidden");
    },
  );

  it("the Auth.js endpoints: no session from a cross-site POST without the CSRF cookie", async () => {
    const session = await anonymous(baseUrl).get("/api/auth/session");
    expect(session.status).toBe(200);
    expect(await session.json()).toBeNull();
    const attacker = anonymous(baseUrl);
    const res = await attacker.post(
      "/api/auth/callback/credentials",
      { csrfToken: "forged", email: owner.email, password: owner.password },
      { form: true, headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" } },
    );
    await res.arrayBuffer();
    expect(attacker.jar.has(SESSION_COOKIE)).toBe(false);
  });

  it("leaves the owner's chat untouched by all of that", async () => {
    const t = await json<TokensJson>(await owner.get(`/chat/message/${ids.message}/tokens/0`), 200);
    expect(t).toMatchObject({ tokens: "secret-answer", status: "completed" });
  });
});

/** The same session, sending no Origin header (a browser that sends only Sec-Fetch-Site). */
function withoutOrigin(client: TestClient): TestClient {
  return {
    ...client,
    request: (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set("cookie", client.jar.header());
      return checkedFetch(`${client.baseUrl}${path}`, { ...init, headers, redirect: "manual" });
    },
  };
}

describe("bad input", () => {
  it("rejects positions that are not non-negative integers, and answers append:false past the end", async () => {
    for (const p of ["-1", "abc", "1.5", "1e3", "%20"]) {
      await expectError(await owner.get(`/chat/message/${ids.message}/tokens/${p}`), 400, "validation_error");
    }
    for (const p of ["999", "9007199254740993", "99999999999999999999"]) {
      const t = await json<TokensJson>(await owner.get(`/chat/message/${ids.message}/tokens/${p}`), 200);
      expect(t).toEqual({ tokens: "secret-answer", status: "completed", append: false, position: 13 });
    }
    const mid = await json<TokensJson>(await owner.get(`/chat/message/${ids.message}/tokens/7`), 200);
    expect(mid).toEqual({ tokens: "answer", status: "completed", append: true, position: 13 });
  });

  it("the polls take their ids from the path: query parameters of the same names change nothing", async () => {
    // The polls are Pages API routes behind rewrites that pass the path's parameters as query
    // parameters (lib/http/poll-routes.ts): the path must win over the URL's own query.
    const intruder = await signUp(baseUrl);
    const theirs = await createChat(intruder);
    const forged = `uuid=${theirs.uuid}&last_uuid=${randomUUID()}&position=0`;
    const mine = await json<{ chat: { uuid: string } }>(await owner.get(`/chat/${ids.chat}/messages/${ids.message}?${forged}`), 200);
    expect(mine.chat.uuid).toBe(ids.chat);
    const all = await json<{ chat: { uuid: string } }>(await owner.get(`/chat/${ids.chat}/messages?${forged}`), 200);
    expect(all.chat.uuid).toBe(ids.chat);
    const t = await json<TokensJson>(await owner.get(`/chat/message/${ids.message}/tokens/7?uuid=${randomUUID()}&position=0`), 200);
    expect(t).toEqual({ tokens: "answer", status: "completed", append: true, position: 13 });
    // And an intruder's own session still gets 404 for the owner's chat, whatever the query says.
    await expectError(await intruder.get(`/chat/${ids.chat}/messages?uuid=${theirs.uuid}`), 404);
  });

  it("answers unknown_last_message for a last uuid that is not in the chat", async () => {
    await expectError(await owner.get(`/chat/${ids.chat}/messages/${randomUUID()}`), 404, "unknown_last_message");
  });

  it("validates message content: empty 400, over 32,000 characters 413, NUL-free storage", async () => {
    const chat = await createChat(owner);
    const post = (content: unknown) => owner.post(`/chat/${chat.uuid}/send`, { content });
    await expectError(await post(""), 400, "validation_error");
    await expectError(await post("   \n "), 400, "validation_error");
    await expectError(await post(42), 400, "validation_error");
    await expectError(await post("😀".repeat(32_001)), 413, "payload_too_large");
    const ok = await post("😀".repeat(32_000));
    expect(ok.status).toBe(201);
  });

  it("answers 400 for bodies that are not JSON, 415 for other types, 413 for huge bodies", async () => {
    const chat = await createChat(owner);
    const raw = (body: string, type: string) =>
      owner.request(`/chat/${chat.uuid}/send`, { method: "POST", headers: { "content-type": type }, body });
    await expectError(await raw("{not json", "application/json"), 400, "invalid_json");
    await expectError(await raw("<x/>", "application/xml"), 415, "unsupported_media_type");
    await expectError(await raw(JSON.stringify({ content: "x".repeat(1024 * 1024) }), "application/json"), 413, "payload_too_large");
    await expectError(await raw("[1,2]", "application/json"), 400, "validation_error");
    await expectError(await raw("null", "application/json"), 400, "validation_error");
  });

  it("accepts form posts (HTMX and plain forms)", async () => {
    const created = await owner.post("/chat/create", { agent: "coder" }, { form: true });
    expect(created.status).toBe(201);
    const { chat } = (await created.json()) as { chat: { uuid: string } };
    const sent = await owner.post(`/chat/${chat.uuid}/send`, { content: "[[fake text=form-ok]]" }, { form: true });
    expect(sent.status).toBe(201);
  });

  it("rejects unknown agents and models with 400", async () => {
    await expectError(await owner.post("/chat/create", { agent: "nobody" }), 400, "validation_error");
    await expectError(await owner.post("/chat/create", { model: "openai:gpt-99" }), 400, "validation_error");
    const chat = await createChat(owner);
    await expectError(await owner.post(`/chat/${chat.uuid}/send`, { content: "hi", model: "nope" }), 400, "validation_error");
  });
});
