/**
 * A tiny HTTP client for tests: a cookie jar, `Origin` on unsafe methods, no redirects
 * followed (every call returns the raw Response), and Auth.js's standard credentials flow
 * (csrf token, then the callback) for signing in.
 */
import { randomBytes } from "node:crypto";
import { checkResponse } from "./contract.ts";

export const SESSION_COOKIE = "authjs.session-token";

interface SetCookie {
  name: string;
  value: string;
  /** A deletion: empty value, Max-Age <= 0 or Expires in the past. */
  expired: boolean;
}

function parseSetCookies(res: Response): SetCookie[] {
  const out: SetCookie[] = [];
  for (const line of res.headers.getSetCookie()) {
    const [pair = "", ...attrs] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const value = pair.slice(eq + 1).trim();
    let expired = value === "";
    for (const attr of attrs) {
      const [k = "", v = ""] = attr.split("=", 2).map((x) => x.trim());
      if (k.toLowerCase() === "max-age" && Number(v) <= 0) expired = true;
      if (k.toLowerCase() === "expires" && Date.parse(v) <= Date.now()) expired = true;
    }
    out.push({ name: pair.slice(0, eq).trim(), value, expired });
  }
  return out;
}

/** Does this response set (not clear) the cookie `name` (or a chunk of it: name.0, name.1...)? */
export function setsCookie(res: Response, name: string): boolean {
  return parseSetCookies(res).some((c) => !c.expired && (c.name === name || c.name.startsWith(`${name}.`)));
}

/** Cookies by name; enough for one host over http (no paths, domains or Secure). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Takes in every Set-Cookie of a response; an expired one removes the cookie. */
  absorb(res: Response): void {
    for (const c of parseSetCookies(res)) {
      if (c.expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  get(name: string): string | undefined {
    // Auth.js splits large cookies into name.0, name.1...
    return this.cookies.get(name) ?? this.cookies.get(`${name}.0`);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

export interface PostInit {
  headers?: Record<string, string>;
  /** Send `body` (a flat object) as application/x-www-form-urlencoded instead of JSON. */
  form?: boolean;
}

export interface TestClient {
  baseUrl: string;
  /** Empty for an anonymous client until signIn succeeds. */
  email: string;
  password: string;
  jar: CookieJar;
  request(path: string, init?: RequestInit): Promise<Response>;
  get(path: string, init?: RequestInit): Promise<Response>;
  post(path: string, body?: unknown, init?: PostInit): Promise<Response>;
  del(path: string): Promise<Response>;
  /** Auth.js credentials sign-in; answers the callback's raw response (302 either way). */
  signIn(email: string, password: string): Promise<Response>;
  /** Auth.js sign-out (POST /api/auth/signout with the csrf token). */
  signOut(): Promise<Response>;
  /** The same user (same cookie jar) talking to another server, e.g. a restarted one. */
  at(baseUrl: string): TestClient;
  /** GET /api/auth/session, parsed: null when signed out. */
  session(): Promise<{ user?: { id?: string; email?: string | null; name?: string | null }; expires?: string } | null>;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const SAFE_TO_RETRY = new Set(["GET", "HEAD"]);

/** `headers` go on every request (e.g. X-Forwarded-For, to stand for another client address). */
function makeClient(baseUrl: string, jar = new CookieJar(), defaults: Record<string, string> = {}): TestClient {
  const client: TestClient = {
    baseUrl: baseUrl.replace(/\/+$/, ""),
    email: "",
    password: "",
    jar,

    async request(path, init = {}) {
      const method = (init.method ?? "GET").toUpperCase();
      const headers = new Headers(init.headers);
      for (const [k, v] of Object.entries(defaults)) if (!headers.has(k)) headers.set(k, v);
      const cookie = jar.header();
      if (cookie && !headers.has("cookie")) headers.set("cookie", cookie);
      if (UNSAFE.has(method) && !headers.has("origin")) headers.set("origin", client.baseUrl);
      const send = () => fetch(`${client.baseUrl}${path}`, { ...init, method, headers, redirect: "manual" });
      let res: Response;
      try {
        res = await send();
      } catch (err) {
        // A kept-alive connection the server closed as idle just as we reused it ("other side
        // closed": a race a loaded machine makes likely). Browsers retry such a read; so do we,
        // once, and only for reads.
        if (!SAFE_TO_RETRY.has(method) || (err as { cause?: { code?: string } }).cause?.code !== "UND_ERR_SOCKET") throw err;
        res = await send();
      }
      jar.absorb(res);
      // Every JSON answer is checked against /api/openapi.json: drift fails the test (contract.ts).
      await checkResponse(client.baseUrl, method, path, res);
      return res;
    },

    get(path, init) {
      return client.request(path, { ...init, method: "GET" });
    },

    post(path, body, init = {}) {
      const headers = new Headers(init.headers);
      let payload: string | undefined;
      if (body !== undefined) {
        if (init.form) {
          const params = new URLSearchParams();
          for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
            if (v !== undefined && v !== null) params.set(k, typeof v === "string" ? v : JSON.stringify(v));
          }
          payload = params.toString();
          if (!headers.has("content-type")) headers.set("content-type", "application/x-www-form-urlencoded");
        } else {
          payload = JSON.stringify(body);
          if (!headers.has("content-type")) headers.set("content-type", "application/json");
        }
      }
      return client.request(path, { method: "POST", headers, body: payload });
    },

    del(path) {
      return client.request(path, { method: "DELETE" });
    },

    async signIn(email, password) {
      const csrfToken = await csrf(client);
      const res = await client.post(
        "/api/auth/callback/credentials",
        { csrfToken, email, password },
        { form: true },
      );
      await res.arrayBuffer().catch(() => undefined);
      if (jar.has(SESSION_COOKIE)) {
        client.email = email;
        client.password = password;
      }
      return res;
    },

    async signOut() {
      const csrfToken = await csrf(client);
      const res = await client.post("/api/auth/signout", { csrfToken }, { form: true });
      await res.arrayBuffer().catch(() => undefined);
      return res;
    },

    at(otherBaseUrl) {
      const other = makeClient(otherBaseUrl, jar, defaults);
      other.email = client.email;
      other.password = client.password;
      return other;
    },

    async session() {
      const res = await client.get("/api/auth/session");
      if (res.status !== 200) throw new Error(`GET /api/auth/session answered ${res.status}: ${await res.text()}`);
      const body = (await res.json()) as Awaited<ReturnType<TestClient["session"]>> | Record<string, never>;
      return body && "user" in body ? body : null;
    },
  };
  return client;
}

async function csrf(client: TestClient): Promise<string> {
  const res = await client.get("/api/auth/csrf");
  if (res.status !== 200) throw new Error(`GET /api/auth/csrf answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { csrfToken?: unknown };
  if (typeof body.csrfToken !== "string") throw new Error("GET /api/auth/csrf gave no csrfToken");
  return body.csrfToken;
}

/** A client with no session; `headers` go on every request. */
export function anonymous(baseUrl: string, headers: Record<string, string> = {}): TestClient {
  return makeClient(baseUrl, new CookieJar(), headers);
}

/** An email nobody has used: tests never share users. */
export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}@example.test`;
}

export interface SignUpOptions {
  email?: string;
  password?: string;
  name?: string;
  /** Sent with every request of the client. */
  headers?: Record<string, string>;
}

/**
 * Registers a new user (POST /api/register) and signs in through Auth.js. Throws with the
 * server's answer when either step fails, so a test's own assertions start from a session.
 */
export async function signUp(baseUrl: string, opts: SignUpOptions = {}): Promise<TestClient> {
  const email = opts.email ?? uniqueEmail();
  const password = opts.password ?? `pw-${randomBytes(8).toString("hex")}`;
  const name = opts.name ?? "Test User";
  const client = makeClient(baseUrl, new CookieJar(), opts.headers);
  const reg = await client.post("/api/register", { email, password, name });
  if (reg.status !== 201) throw new Error(`POST /api/register answered ${reg.status}: ${await reg.text()}`);
  await reg.arrayBuffer().catch(() => undefined);
  const res = await client.signIn(email, password);
  if (res.status !== 302 || !client.jar.has(SESSION_COOKIE)) {
    throw new Error(`Sign-in after sign-up failed: ${res.status} to ${res.headers.get("location")}`);
  }
  return client;
}

/**
 * "Try without an account" (ALLOW_GUESTS=true): Auth.js's guest provider, the way the sign-in
 * page calls it. Answers the client (signed in as the new guest) and the callback's response.
 */
export async function signInAsGuest(baseUrl: string, headers: Record<string, string> = {}): Promise<{ client: TestClient; res: Response }> {
  const client = makeClient(baseUrl, new CookieJar(), headers);
  const csrfToken = await csrf(client);
  const res = await client.post("/api/auth/callback/guest", { csrfToken }, { form: true });
  await res.arrayBuffer().catch(() => undefined);
  return { client, res };
}

/**
 * Verifies the client's address the way a person does: reads the newest verification mail sent
 * to it (test/support/mail-sink.ts, the directory of the SMTP server the app mails to) and
 * follows its link.
 */
export async function verifyEmail(client: TestClient, mailDir: string): Promise<void> {
  const { linkIn, mailsFor, waitForMail } = await import("./mail-sink.ts");
  await waitForMail(mailDir, client.email);
  const mails = mailsFor(mailDir, client.email).filter((m) => m.includes("/verify-email?token="));
  const link = linkIn(mails[mails.length - 1] ?? "", "/verify-email");
  const res = await client.post("/api/verify-email", { token: link.searchParams.get("token") });
  if (res.status !== 200) throw new Error(`POST /api/verify-email answered ${res.status}: ${await res.text()}`);
}
