/**
 * Personal API tokens through real HTTP: made (shown once, stored hashed), listed, revoked;
 * every route of the route table that takes a session answers a token exactly as it answers
 * the session; a revoked token stops at its next request (a disabled account's tokens: admin.test.ts).
 */
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { anonymous, signUp, type TestClient } from "../support/client.ts";
import { createChat, exchange, json } from "../support/chat.ts";
import { until } from "../support/wait.ts";
import { call, entries, makeIds } from "./route-table.ts";
import { sharedBaseUrl } from "../support/context.ts";

const baseUrl = sharedBaseUrl();

interface TokenJson {
  uuid: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

async function newToken(client: TestClient, name = "test"): Promise<{ token: string; apiToken: TokenJson }> {
  return json(await client.post("/api/tokens", { name }), 201);
}

function bearer(url: string, token: string): TestClient {
  return anonymous(url, { authorization: `Bearer ${token}` });
}

async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

let owner: TestClient;

beforeAll(async () => {
  owner = await signUp(baseUrl);
});

describe("API tokens", () => {
  it("are shown once, listed without the secret, and look like pc_ and 43 base64url characters", async () => {
    const made = await newToken(owner, "  Laptop script  ");
    expect(made.token).toMatch(/^pc_[A-Za-z0-9_-]{43}$/);
    expect(made.apiToken).toMatchObject({ name: "Laptop script", prefix: made.token.slice(0, 11), lastUsedAt: null });
    const { tokens } = await json<{ tokens: TokenJson[] }>(await owner.get("/api/tokens"), 200);
    const listed = tokens.find((t) => t.uuid === made.apiToken.uuid)!;
    expect(Object.keys(listed).sort()).toEqual(["createdAt", "lastUsedAt", "name", "prefix", "uuid"]);
    const text = JSON.stringify(tokens);
    expect(text).not.toContain(made.token);
    expect(text).not.toContain(createHash("sha256").update(made.token).digest("hex"));

    // Used: recorded (at most once a minute, in the background).
    expect((await bearer(baseUrl, made.token).get("/chat/list")).status).toBe(200);
    await until("lastUsedAt", async () => {
      const again = await json<{ tokens: TokenJson[] }>(await owner.get("/api/tokens"), 200);
      return again.tokens.find((t) => t.uuid === made.apiToken.uuid)?.lastUsedAt ?? undefined;
    });
  });

  it("need a name of 1 to 100 characters", async () => {
    for (const name of ["", "   ", "x".repeat(101)]) {
      const res = await owner.post("/api/tokens", { name });
      expect(res.status, name).toBe(400);
      expect(await errorCode(res)).toBe("validation_error");
    }
  });

  it("cannot be made with a token, only with a session", async () => {
    const { token } = await newToken(owner);
    const res = await bearer(baseUrl, token).post("/api/tokens", { name: "minted by a token" });
    expect(res.status).toBe(403);
    expect(await errorCode(res)).toBe("forbidden");
    // Listing and revoking work with one.
    expect((await bearer(baseUrl, token).get("/api/tokens")).status).toBe(200);
  });

  it("refuses unknown, malformed and foreign Authorization headers with 401", async () => {
    for (const header of ["Bearer pc_not-a-real-token", "Bearer something-else", "Basic dXNlcjpwdw==", `Bearer pc_${"a".repeat(300)}`]) {
      const res = await anonymous(baseUrl, { authorization: header }).get("/chat/list");
      expect(res.status, header).toBe(401);
      expect(await errorCode(res)).toBe("unauthorized");
    }
  });

  it("a revoked token gets 401 at once, on the polls too", async () => {
    const { token, apiToken } = await newToken(owner, "to revoke");
    const client = bearer(baseUrl, token);
    const chat = await createChat(client);
    const { answer } = await exchange(client, chat.uuid, "[[fake text=before-revoking]]");
    const paths = ["/chat/list", `/chat/${chat.uuid}/messages`, `/chat/${chat.uuid}/messages/${answer.uuid}`, `/chat/message/${answer.uuid}/tokens/0`, "/api/tokens"];
    for (const p of paths) expect((await client.get(p)).status, p).toBe(200);

    expect(await json(await owner.del(`/api/tokens/${apiToken.uuid}`), 200)).toEqual({ revoked: true });
    for (const p of paths) {
      const res = await client.get(p);
      expect(res.status, p).toBe(401);
      expect(await errorCode(res)).toBe("unauthorized");
    }
    expect((await client.post(`/chat/${chat.uuid}/send`, { content: "still there?" })).status).toBe(401);
    // Gone from the list; revoking again changes nothing.
    const { tokens } = await json<{ tokens: TokenJson[] }>(await owner.get("/api/tokens"), 200);
    expect(tokens.map((t) => t.uuid)).not.toContain(apiToken.uuid);
    expect((await owner.del(`/api/tokens/${apiToken.uuid}`)).status).toBe(200);
    // The chat it made is the owner's, untouched.
    expect((await owner.get(`/chat/message/${answer.uuid}/tokens/0`)).status).toBe(200);
  });

  it(`are limited to 50 live ones per account`, async () => {
    const user = await signUp(baseUrl);
    for (let i = 0; i < 50; i++) await newToken(user, `t${i}`);
    const res = await user.post("/api/tokens", { name: "one too many" });
    expect(res.status).toBe(409);
    expect(await errorCode(res)).toBe("conflict");
    const { tokens } = await json<{ tokens: TokenJson[] }>(await user.get("/api/tokens"), 200);
    await json(await user.del(`/api/tokens/${tokens[0]!.uuid}`), 200);
    await newToken(user, "room again");
  });
});

describe("every route that takes a session takes a token", () => {
  let token: string;
  beforeAll(async () => {
    token = (await newToken(owner, "route table")).token;
  });

  // Each call on fresh ids of its own: some of these routes delete or change what they are given.
  it.each(entries((e) => e.access === "owner" || e.access === "user"))("$key", async (e) => {
    if (e.key === "DELETE /api/account/sessions") {
      // It ends the owner's sessions (not the token): the token first, then a session; sign in again after each.
      const ids = await makeIds(owner);
      const byToken = await call(bearer(baseUrl, token), e, ids);
      expect(byToken.status, await byToken.text()).toBe(200);
      await owner.signIn(owner.email, owner.password);
      const bySession = await call(owner, e, ids);
      expect(bySession.status, await bySession.text()).toBe(200);
      await owner.signIn(owner.email, owner.password);
      return;
    }
    const withSession = await call(owner, e, await makeIds(owner));
    const withToken = await call(bearer(baseUrl, token), e, await makeIds(owner));
    const [sessionText, tokenText] = [await withSession.text(), await withToken.text()];
    if (e.key === "POST /api/tokens") {
      expect(withToken.status, tokenText).toBe(403);
      return;
    }
    expect(withToken.status, `${e.key} with a token: ${tokenText.slice(0, 300)}`).toBe(withSession.status);
    if (e.fixtureStatus) expect(withToken.status, `${e.key}: ${sessionText.slice(0, 300)}`).toBe(e.fixtureStatus);
    else expect(withToken.status, `${e.key}: ${sessionText.slice(0, 300)}`).toBeLessThan(400);
  });
});

