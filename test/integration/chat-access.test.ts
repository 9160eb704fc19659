/**
 * Every endpoint: no session answers 401 JSON; another user's chat or message answers 404
 * exactly like a missing one; malformed input answers 4xx with the documented error, never 500.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { anonymous, signUp, type TestClient } from "../support/client.ts";
import { createChat, exchange, json, type TokensJson } from "../support/chat.ts";

const baseUrl = inject("baseUrl");

interface Endpoint {
  name: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: (ids: { chat: string; message: string }) => string;
  body?: (ids: { chat: string; message: string }) => Record<string, unknown>;
}

const ENDPOINTS: Endpoint[] = [
  { name: "GET /chat/{chat}/messages", method: "GET", path: ({ chat }) => `/chat/${chat}/messages` },
  { name: "GET /chat/{chat}/messages/{message}", method: "GET", path: ({ chat, message }) => `/chat/${chat}/messages/${message}` },
  { name: "POST /chat/{chat}/send", method: "POST", path: ({ chat }) => `/chat/${chat}/send`, body: () => ({ content: "hello" }) },
  { name: "POST /chat/{chat}/regenerate", method: "POST", path: ({ chat }) => `/chat/${chat}/regenerate`, body: () => ({}) },
  { name: "POST /chat/{chat}/edit", method: "POST", path: ({ chat }) => `/chat/${chat}/edit`, body: ({ message }) => ({ messageUuid: message, content: "x" }) },
  { name: "GET /chat/message/{message}/tokens/0", method: "GET", path: ({ message }) => `/chat/message/${message}/tokens/0` },
  { name: "POST /chat/message/{message}/cancel", method: "POST", path: ({ message }) => `/chat/message/${message}/cancel` },
  { name: "PATCH /api/chats/{chat}", method: "PATCH", path: ({ chat }) => `/api/chats/${chat}`, body: () => ({ title: "mine now" }) },
  { name: "DELETE /api/chats/{chat}", method: "DELETE", path: ({ chat }) => `/api/chats/${chat}` },
];

const COLLECTION: Endpoint[] = [
  { name: "POST /chat/create", method: "POST", path: () => "/chat/create", body: () => ({}) },
  { name: "GET /chat/list", method: "GET", path: () => "/chat/list" },
  { name: "GET /api/models", method: "GET", path: () => "/api/models" },
  { name: "GET /api/agents", method: "GET", path: () => "/api/agents" },
];

function call(client: TestClient, e: Endpoint, ids: { chat: string; message: string }) {
  const headers: Record<string, string> = e.body ? { "content-type": "application/json" } : {};
  return client.request(e.path(ids), { method: e.method, headers, body: e.body ? JSON.stringify(e.body(ids)) : undefined });
}

async function expectError(res: Response, status: number, code?: string) {
  const text = await res.text();
  expect(res.status, `${res.url} ${text.slice(0, 300)}`).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(body.error.message.length).toBeGreaterThan(0);
  if (code) expect(body.error.code).toBe(code);
}

let owner: TestClient;
let ids: { chat: string; message: string };

beforeAll(async () => {
  owner = await signUp(baseUrl);
  const chat = await createChat(owner);
  const { answer } = await exchange(owner, chat.uuid, "[[fake text=secret-answer]]");
  ids = { chat: chat.uuid, message: answer.uuid };
});

describe("access control", () => {
  it.each([...ENDPOINTS, ...COLLECTION])("$name without a session answers 401 JSON", async (e) => {
    await expectError(await call(anonymous(baseUrl), e, ids), 401, "unauthorized");
  });

  it.each(ENDPOINTS)("$name on another user's chat answers 404 like a missing one", async (e) => {
    const intruder = await signUp(baseUrl);
    const theirs = await call(intruder, e, ids);
    const missing = await call(intruder, e, { chat: randomUUID(), message: randomUUID() });
    await expectError(theirs, 404);
    await expectError(missing, 404);
  });

  it("leaves the owner's chat untouched by all of that", async () => {
    const t = await json<TokensJson>(await owner.get(`/chat/message/${ids.message}/tokens/0`), 200);
    expect(t).toMatchObject({ tokens: "secret-answer", status: "completed" });
  });

  it.each(ENDPOINTS)("$name with a malformed uuid answers 400", async (e) => {
    for (const bad of ["not-a-uuid", "1234", "..%2F..%2Fetc%2Fpasswd", "' or 1=1 --"]) {
      await expectError(await call(owner, e, { chat: bad, message: bad }), 400, "validation_error");
    }
  });
});

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

  it("refuses cross-site POSTs with 403", async () => {
    const res = await owner.request("/chat/create", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      body: "{}",
    });
    await expectError(res, 403, "forbidden");
  });
});
