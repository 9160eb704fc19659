/**
 * Sign-up, sign-in and sign-out over real HTTP against the built app (see
 * test/support/global-setup.ts), including every way a sign-up can be refused and proof
 * that a refused one wrote nothing.
 */
import http from "node:http";
import { describe, expect, it } from "vitest";
import { anonymous, SESSION_COOKIE, setsCookie, signUp, uniqueEmail, type TestClient } from "../support/client.ts";
import { providedDatabaseUrl, sharedBaseUrl } from "../support/context.ts";

const baseUrl = sharedBaseUrl();

interface ErrorBody {
  error: { code: string; message: string };
}

async function errorOf(res: Response): Promise<ErrorBody["error"]> {
  const body = (await res.json()) as ErrorBody;
  expect(typeof body.error.code).toBe("string");
  expect(body.error.message).toMatch(/\S/);
  return body.error;
}

function register(client: TestClient, body: unknown, headers?: Record<string, string>) {
  return client.post("/api/register", body, { headers });
}

/** Registers through a fresh client; answers the status. */
async function registerStatus(body: { email: string; password: string; name?: string }): Promise<number> {
  const res = await register(anonymous(baseUrl), body);
  await res.arrayBuffer();
  return res.status;
}

/** Whether these credentials sign in (a session cookie comes back). */
async function canSignIn(email: string, password: string): Promise<boolean> {
  const client = anonymous(baseUrl);
  const res = await client.signIn(email, password);
  return res.status === 302 && client.jar.has(SESSION_COOKIE);
}

/**
 * Proof that a refused sign-up wrote nothing: the email is still free, so a valid sign-up
 * with it succeeds and then signs in.
 */
async function expectEmailStillFree(email: string): Promise<void> {
  expect(await canSignIn(email, "correct horse battery")).toBe(false);
  expect(await registerStatus({ email, password: "correct horse battery" })).toBe(201);
  expect(await canSignIn(email, "correct horse battery")).toBe(true);
}

/** A POST with a chunked body on its own connection (fetch would reuse a pooled one). */
function postChunked(path: string, chunks: Buffer[], headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}${path}`, { method: "POST", agent: false, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe("GET /api/health", () => {
  it("answers ok with the database kind in use", async () => {
    const res = await anonymous(baseUrl).get("/api/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, db: providedDatabaseUrl() ? "postgres" : "pglite" });
  });
});

describe("POST /api/register", () => {
  it("creates a user: 201 with {user: {id, email, name, emailVerified: false}, verification}, the email lower-cased", async () => {
    const email = uniqueEmail("Mixed.Case").replace("@example.test", "@Example.TEST");
    const res = await register(anonymous(baseUrl), { email: `  ${email} `, password: "s3cret-password", name: "Ada" });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { user: { id: string; email: string; name: string | null }; verification: { sent: boolean } };
    expect(Object.keys(body)).toEqual(["user", "verification"]);
    expect(body.user).toMatchObject({ email: email.toLowerCase(), name: "Ada", emailVerified: false, converted: false });
    // The link to verify the address went out by mail (the test's SMTP server); no link in the answer outside development.
    expect(body.verification).toEqual({ sent: true });
    expect(typeof body.user.id).toBe("string");
    expect(body.user.id).not.toBe("");
  });

  it("refuses the same email again, in any case: 409 email_taken, and keeps the first password", async () => {
    const email = uniqueEmail("dup");
    expect(await registerStatus({ email, password: "first-password" })).toBe(201);

    for (const again of [email, email.toUpperCase()]) {
      const res = await register(anonymous(baseUrl), { email: again, password: "second-password" });
      expect(res.status).toBe(409);
      expect((await errorOf(res)).code).toBe("email_taken");
    }

    expect(await canSignIn(email, "first-password")).toBe(true);
    expect(await canSignIn(email, "second-password")).toBe(false);
  });

  it("refuses a malformed email: 400", async () => {
    for (const email of ["not-an-email", "a@", "@example.test", "two@@example.test", ""]) {
      const res = await register(anonymous(baseUrl), { email, password: "long-enough-password" });
      expect(res.status, email).toBe(400);
      expect((await errorOf(res)).code).toBe("validation_error");
    }
  });

  it("refuses a password of 7 characters: 400, and creates no account", async () => {
    const email = uniqueEmail("short");
    const res = await register(anonymous(baseUrl), { email, password: "1234567" });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("validation_error");
    expect(error.message).toMatch(/password/i);
    await expectEmailStillFree(email);
  });

  it("refuses a body that is not JSON: 400 invalid_json", async () => {
    const email = uniqueEmail("badjson");
    const res = await anonymous(baseUrl).request("/api/register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"email": "${email}", "password": "long-enough-password"`,
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid_json");
    await expectEmailStillFree(email);
  });

  it("refuses a 1 MB body: 413, with or without a Content-Length", async () => {
    const email = uniqueEmail("big");
    const big = { email, password: "long-enough-password", name: "x".repeat(1024 * 1024) };
    const res = await register(anonymous(baseUrl), big);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("payload_too_large");

    const json = Buffer.from(JSON.stringify(big));
    const chunks = Array.from({ length: Math.ceil(json.length / 65536) }, (_, i) => json.subarray(i * 65536, (i + 1) * 65536));
    const chunked = await postChunked("/api/register", chunks, { "content-type": "application/json", origin: baseUrl });
    expect(chunked.status).toBe(413);
    expect((JSON.parse(chunked.body) as ErrorBody).error.code).toBe("payload_too_large");

    await expectEmailStillFree(email);
  });

  it("refuses a text/xml body: 415", async () => {
    const email = uniqueEmail("xml");
    const res = await anonymous(baseUrl).request("/api/register", {
      method: "POST",
      headers: { "content-type": "text/xml" },
      body: `<register><email>${email}</email><password>long-enough-password</password></register>`,
    });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe("unsupported_media_type");
    await expectEmailStillFree(email);
  });

  it("refuses a cross-site POST: 403, and creates no account", async () => {
    const email = uniqueEmail("csrf");
    const res = await register(
      anonymous(baseUrl),
      { email, password: "long-enough-password" },
      { origin: "https://evil.example" },
    );
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("forbidden");
    await expectEmailStillFree(email);
  });

  it("accepts a form post (HTML forms and htmx)", async () => {
    const email = uniqueEmail("form");
    const res = await anonymous(baseUrl).post("/api/register", { email, password: "long-enough-password", name: "Form" }, { form: true });
    expect(res.status).toBe(201);
    expect(await canSignIn(email, "long-enough-password")).toBe(true);
  });
});

describe("sign-in and sign-out (Auth.js credentials)", () => {
  it("refuses a wrong password: 302 to /signin with code=invalid_login and no session", async () => {
    const user = await signUp(baseUrl);
    const client = anonymous(baseUrl);
    const res = await client.signIn(user.email, `${user.password}-wrong`);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "", baseUrl);
    expect(location.pathname).toBe("/signin");
    expect(location.searchParams.get("code")).toBe("invalid_login");
    expect(setsCookie(res, SESSION_COOKIE)).toBe(false);
    expect(await client.session()).toBeNull();
  });

  it("refuses an unknown email the same way", async () => {
    const client = anonymous(baseUrl);
    const res = await client.signIn(uniqueEmail("nobody"), "whatever-password");
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("location") ?? "", baseUrl).searchParams.get("code")).toBe("invalid_login");
    expect(setsCookie(res, SESSION_COOKIE)).toBe(false);
  });

  it("signs in (any case of the email), shows the user in the session, and signs out", async () => {
    const email = uniqueEmail("cycle");
    expect(await registerStatus({ email, password: "cycle-password", name: "Cy Cle" })).toBe(201);

    const client = anonymous(baseUrl);
    expect(await client.session()).toBeNull();
    const res = await client.signIn(email.toUpperCase(), "cycle-password");
    expect(res.status).toBe(302);
    expect(setsCookie(res, SESSION_COOKIE)).toBe(true);
    const location = new URL(res.headers.get("location") ?? "", baseUrl);
    expect(location.pathname).not.toBe("/signin");
    expect(location.searchParams.has("error")).toBe(false);

    const session = await client.session();
    expect(session?.user).toMatchObject({ email, name: "Cy Cle" });
    expect(session?.user?.id).toMatch(/\S/);

    const chat = await client.get("/chat");
    expect(chat.status).toBe(200);
    expect(await chat.text()).toContain(email);

    const out = await client.signOut();
    expect(out.status).toBe(302);
    expect(client.jar.has(SESSION_COOKIE)).toBe(false);
    expect(await client.session()).toBeNull();
  });

  it("after sign-out, /chat sends the browser back to sign in", async () => {
    const client = await signUp(baseUrl);
    expect((await client.session())?.user?.email).toBe(client.email);
    await client.signOut();
    expect(await client.session()).toBeNull();
    const chat = await client.get("/chat");
    expect(chat.status).toBeGreaterThanOrEqual(300);
    expect(chat.status).toBeLessThan(400);
  });
});

describe("pages", () => {
  it("GET /chat without a session redirects to /signin", async () => {
    const res = await anonymous(baseUrl).get("/chat");
    expect([302, 303, 307, 308]).toContain(res.status);
    expect(new URL(res.headers.get("location") ?? "", baseUrl).pathname).toBe("/signin");
  });

  it("serves the sign-in and sign-up pages", async () => {
    for (const path of ["/signin", "/signup"]) {
      const res = await anonymous(baseUrl).get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
    }
  });
});
