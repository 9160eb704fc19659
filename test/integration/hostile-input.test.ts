/**
 * Hostile input, property-based: every endpoint (discovered from the files under app/) gets
 * random and adversarial requests (garbage path segments, `../`, `%00`, numbers past 2^53, SQL
 * fragments, bodies of the wrong type, lone surrogates, NUL, broken JSON, form bodies, wrong
 * content types, 10 MB bodies) signed in and not. Never a 500, never a hang, JSON errors of the
 * documented shape from our handlers, and the database keeps its invariants (checked after
 * every test by test/support/invariants-setup.ts).
 *
 * Deterministic: a fixed seed (FUZZ_SEED to try another, FUZZ_RUNS for more runs); a failure
 * prints the seed, the path to the counterexample and the shrunk request.
 */
import fc from "fast-check";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { anonymous, signUp, type TestClient } from "../support/client.ts";
import { createChat, exchange } from "../support/chat.ts";
import {
  discoverEndpoints,
  fillTemplate,
  hugeBody,
  nastyBody,
  nastyQuery,
  nastyString,
  paramsOf,
  rawRequest,
  segment,
  type BodySpec,
  type Endpoint,
  type RawResponse,
} from "../support/hostile.ts";
import { sharedBaseUrl } from "../support/context.ts";

const baseUrl = sharedBaseUrl();
const SEED = Number(process.env.FUZZ_SEED ?? 1_640_995_200);
const RUNS = Number(process.env.FUZZ_RUNS ?? 24);
/** Generous for a loaded CI machine; a hang is minutes, not seconds. */
const ANSWER_WITHIN_MS = 20_000;
const endpoints = discoverEndpoints();

let owner: TestClient;
let real: { chats: string[]; messages: string[] };
let csrf: { token: string; cookie: string };

beforeAll(async () => {
  owner = await signUp(baseUrl);
  const chat = await createChat(owner);
  const { user, answer } = await exchange(owner, chat.uuid, "[[fake text=target]]");
  real = { chats: [chat.uuid, (await createChat(owner)).uuid], messages: [user.uuid, answer.uuid] };
  const anon = anonymous(baseUrl);
  const res = await anon.get("/api/auth/csrf");
  const token = ((await res.json()) as { csrfToken: string }).csrfToken;
  csrf = { token, cookie: anon.jar.header() };
});

// Sign-out ends a session on the server now: a fuzzed request that signs the owner out (an
// Auth.js action reached some other way) must not turn every later request into a plain 401.
beforeEach(async () => {
  if ((await owner.get("/chat/list")).status === 401) await owner.signIn(owner.email, owner.password);
});

const AUTH_ACTIONS = ["callback/credentials", "signin", "signin/credentials", "signout", "session", "csrf", "providers", "error", "callback/github", "verify-request"];

function paramValue(endpoint: Endpoint, name: string): fc.Arbitrary<string> {
  if (endpoint.template.includes("[...")) return fc.oneof(fc.constantFrom(...AUTH_ACTIONS), nastyString);
  // Real ids of the signed-in user's chat and messages: the request gets past the path to its body.
  const realIds = fc.constantFrom(...real.chats, ...real.messages);
  if (name === "position") return fc.oneof(nastyString, fc.nat().map(String), fc.bigInt({ min: 0n, max: 10n ** 40n }).map(String));
  return fc.oneof({ weight: 3, arbitrary: nastyString }, { weight: 2, arbitrary: realIds }, { weight: 1, arbitrary: fc.uuid() });
}

interface Hostile {
  method: string;
  params: Record<string, string>;
  raw: boolean;
  query: string;
  body: BodySpec | undefined;
  signedIn: boolean;
  htmx: boolean;
  origin: "same" | "none" | "evil";
  withCsrf: boolean;
}

function hostileRequest(endpoint: Endpoint): fc.Arbitrary<Hostile> {
  const names = paramsOf(endpoint.template);
  return fc.record({
    method: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...endpoint.methods) }, { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD") }),
    params: fc.record(Object.fromEntries(names.map((n) => [n, paramValue(endpoint, n)]))),
    raw: fc.boolean(),
    query: nastyQuery,
    body: nastyBody,
    signedIn: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    htmx: fc.boolean(),
    origin: fc.constantFrom("same" as const, "same" as const, "none" as const, "evil" as const),
    withCsrf: fc.boolean(),
  });
}

async function send(endpoint: Endpoint, h: Hostile): Promise<{ res: RawResponse; path: string }> {
  const values = Object.fromEntries(Object.entries(h.params).map(([k, v]) => [k, segment(v, h.raw)]));
  const path = fillTemplate(endpoint.template, values) + h.query;
  const headers: Record<string, string> = {};
  const cookies = [csrf.cookie];
  // Sign-out ends the session on the server: the owner's session is not offered to the two
  // endpoints that would end it, or every later request would be a plain 401.
  const decoded = (() => {
    try {
      return decodeURIComponent(path);
    } catch {
      return path;
    }
  })();
  const endsSession = endpoint.template === "/api/account/sessions" || /signout/i.test(decoded) || /signout/i.test(path);
  if (h.signedIn && !endsSession) cookies.push(owner.jar.header());
  headers.cookie = cookies.filter(Boolean).join("; ");
  if (h.origin === "same") headers.origin = baseUrl;
  if (h.origin === "evil") headers.origin = "https://evil.example";
  if (h.htmx) headers["hx-request"] = "true";
  let body: string | Buffer | undefined;
  if (h.body && h.method !== "GET" && h.method !== "HEAD") {
    body = h.body.body;
    if (h.withCsrf && typeof body === "string" && h.body.contentType === "application/x-www-form-urlencoded") body = `${body}&csrfToken=${encodeURIComponent(csrf.token)}`;
    if (h.body.contentType) headers["content-type"] = h.body.contentType;
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  return { res: await rawRequest(baseUrl, { method: h.method, path, headers, body, timeoutMs: ANSWER_WITHIN_MS }), path };
}

function expectSane(endpoint: Endpoint, method: string, path: string, res: RawResponse) {
  const what = `${method} ${path.slice(0, 300)} -> ${res.status} ${res.body.slice(0, 300)}`;
  expect(res.status, what).toBeGreaterThanOrEqual(100);
  expect(res.status, what).toBeLessThan(500);
  // An answer from our guard (it sets x-request-id) is the documented JSON error.
  if (endpoint.json && res.headers["x-request-id"] && res.status >= 400) {
    expect(res.headers["content-type"], what).toMatch(/^application\/json/);
    const parsed = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof parsed.error?.code, what).toBe("string");
    expect(typeof parsed.error?.message, what).toBe("string");
  }
}

describe("hostile input never gets a 500 or a hang", () => {
  it("finds every endpoint under app/", () => {
    const names = endpoints.map((e) => `${e.methods.join(",")} ${e.template}`);
    expect(names).toContain("POST /chat/[uuid]/send");
    expect(names).toContain("GET,POST /api/auth/[...nextauth]");
    expect(endpoints.length).toBeGreaterThan(20);
  });

  it.each(endpoints.map((e) => [`${e.methods.join(",")} ${e.template}`, e] as const))("%s", async (_name, endpoint) => {
    await fc.assert(
      fc.asyncProperty(hostileRequest(endpoint), async (h) => {
        const { res, path } = await send(endpoint, h);
        expectSane(endpoint, h.method, path, res);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });

  const bodyEndpoints = endpoints.filter((e) => e.methods.some((m) => m !== "GET"));
  it.each(bodyEndpoints.map((e) => [`${e.methods.join(",")} ${e.template}`, e] as const))("10 MB bodies to %s", async (_name, endpoint) => {
    const method = endpoint.bodyMethods[0] ?? endpoint.methods.find((m) => m !== "GET")!;
    // Well-formed ids everywhere, so that the body is what the server has to deal with.
    const path = fillTemplate(endpoint.template, { uuid: real.chats[1]!, nextauth: "callback/credentials", user_id: real.chats[0]!, invite_uuid: real.chats[0]!, token: "A".repeat(43) });
    const headers = { cookie: `${csrf.cookie}; ${owner.jar.header()}`, origin: baseUrl, "content-type": "application/json" };
    const size = 10 * 1024 * 1024;
    const declared = await rawRequest(baseUrl, { method, path, headers: { ...headers, "content-length": String(size) }, body: Buffer.alloc(size, "a"), timeoutMs: 60_000 });
    expectSane(endpoint, method, path, declared);
    if (endpoint.bodyMethods.includes(method)) expect(declared.status).toBe(413);
    // Chunked, the server learns the size only by reading: past the limit it answers 413 and
    // closes while the client is still sending, which the client may see as a reset instead.
    const streamed = await rawRequest(baseUrl, { method, path, headers, body: hugeBody(size), timeoutMs: 60_000 }).catch((err: Error) => err);
    if (streamed instanceof Error) {
      expect(streamed.message).toMatch(/EPIPE|ECONNRESET|socket hang up/);
    } else {
      expectSane(endpoint, method, path, streamed);
      if (endpoint.bodyMethods.includes(method)) expect(streamed.status).toBe(413);
    }
    // Either way the server is fine afterwards.
    expect((await rawRequest(baseUrl, { method: "GET", path: "/api/health", timeoutMs: ANSWER_WITHIN_MS })).status).toBe(200);
  });
});

/** Each of these answered 500 before it was fixed; found by the properties above. */
describe("regressions found by fuzzing", () => {
  const get = (path: string, headers: Record<string, string> = {}) =>
    rawRequest(baseUrl, { method: "GET", path, headers: { cookie: owner.jar.header(), ...headers }, timeoutMs: ANSWER_WITHIN_MS });
  const errorCode = (res: RawResponse) => (JSON.parse(res.body) as { error: { code: string } }).error.code;

  it("a path that is not valid percent-encoding answers 400 (Next alone answered a plain-text 500)", async () => {
    for (const path of ["/chat/%/messages", "/chat/%ff/messages", "/chat/x/messages/%", "/chat/message/%%/tokens/0", "/api/auth/%", "/chat/%ff"]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(errorCode(res), path).toBe("bad_request");
    }
    // Valid encodings still reach the routes.
    expect((await get("/chat/%25/messages")).status).toBe(400);
    expect(errorCode(await get("/chat/%25/messages"))).toBe("validation_error");
  });

  it("the chat list takes a NUL in its search and refuses a forged cursor with 400", async () => {
    expect((await get("/chat/list?q=%00")).status).toBe(200);
    const cursor = (s: string) => Buffer.from(s).toString("base64url");
    for (const forged of ["2024-01-01T00:00:00.000Z|not-a-uuid", "-271821-04-20T00:00:00.000Z|0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3d", "2024-13-45T00:00:00.000Z|0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3d"]) {
      const res = await get(`/chat/list?cursor=${cursor(forged)}`);
      expect(res.status, forged).toBe(400);
      expect(errorCode(res)).toBe("validation_error");
    }
  });

  it("registers a name with a NUL in it (stored as U+FFFD) instead of failing the insert", async () => {
    const client = anonymous(baseUrl);
    const res = await client.post("/api/register", { email: `nul-${Date.now()}@example.test`, password: "long enough pw", name: "a\u0000b" });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { user: { name: string } }).user.name).toBe("a\uFFFDb");
  });

  it("Auth.js: a malformed callbackUrl or callback cookie answers 400, a NUL in the email a failed sign-in, a huge form 413", async () => {
    const post = (path: string, cookie: string, form: Record<string, string>) =>
      rawRequest(baseUrl, {
        method: "POST",
        path,
        headers: { cookie, origin: baseUrl, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrfToken: csrf.token, ...form }).toString(),
        timeoutMs: ANSWER_WITHIN_MS,
      });
    const login = { email: "someone@example.test", password: "whatever-password" };
    const query = await post("/api/auth/callback/credentials?callbackUrl=a%00b", csrf.cookie, login);
    expect(query.status).toBe(400);
    expect(errorCode(query)).toBe("bad_request");
    const cookie = await post("/api/auth/callback/credentials", `${csrf.cookie}; authjs.callback-url=not%20a%20url`, login);
    expect(cookie.status).toBe(400);
    expect(String(cookie.headers["set-cookie"])).toMatch(/authjs\.callback-url=; Path=\/; Max-Age=0/);
    const nul = await post("/api/auth/callback/credentials", csrf.cookie, { email: "a\u0000b@example.test", password: "whatever-password" });
    expect(nul.status).toBe(302);
    expect(nul.headers.location).toMatch(/error=CredentialsSignin/);
    // Auth.js would read any body whole: over 16 KB is refused before it does (10 MB: the test above).
    const huge = await post("/api/auth/callback/credentials", csrf.cookie, { ...login, filler: "x".repeat(20 * 1024) });
    expect(huge.status).toBe(413);
    expect(errorCode(huge)).toBe("payload_too_large");
    // An ordinary sign-in still goes through the guard.
    const ok = await post("/api/auth/callback/credentials", csrf.cookie, { email: owner.email, password: owner.password });
    expect(ok.status).toBe(302);
    expect(String(ok.headers["set-cookie"])).toMatch(/authjs\.session-token=/);
  });
});
