/**
 * Mail without SMTP, expired links and the guests' chat budget, on a server of its own:
 * SMTP_URL unset (the embedded default) writes each mail to the server log, where an operator
 * finds the link and a person can follow it; a link past its expiry (moved into the past in the
 * database, as time would) is refused; a guest's imports count against the guests' tighter
 * hourly chat budget (GUEST_CHATS_PER_HOUR), all or none.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymous, SESSION_COOKIE, signInAsGuest, signUp, type TestClient } from "../support/client.ts";
import { createChat, json, until } from "../support/chat.ts";
import { linkIn } from "../support/mail-sink.ts";
import { createTestDatabase, removeDataDir, testAppEnv, type TestDatabase } from "../support/app-server.ts";
import { restartableServer, withDirectSql, type RestartableServer } from "../support/direct-sql.ts";
import { expectInvariants } from "../support/invariants.ts";
import { sharedFakeOpenAIUrl } from "../support/context.ts";
import { logLines } from "./ops-helpers.ts";

const GUEST_CHATS = 3;

let db: TestDatabase;
let env: Record<string, string>;
let server: RestartableServer;
const url = () => server.current.url;

beforeAll(async () => {
  db = await createTestDatabase();
  env = { ...testAppEnv(db, sharedFakeOpenAIUrl()), SMTP_URL: "", ALLOW_GUESTS: "true", GUEST_CHATS_PER_HOUR: String(GUEST_CHATS), CHATS_PER_HOUR: "50" };
  server = await restartableServer(env);
}, 300_000);

afterAll(async () => {
  try {
    if (server) await expectInvariants(url());
  } finally {
    await server?.current.stop();
    await db?.drop();
    if (env) removeDataDir(env);
  }
});

const MAIL_LOGGED = "mail not sent (no SMTP_URL): its text is here";

/** The mails the server logged so far (their text; the address is not logged). */
function loggedMails(): { subject: string; text: string }[] {
  // Whole lines only: the last one may be half written.
  const output = server.current.logs();
  return logLines(output.slice(0, output.lastIndexOf("\n") + 1))
    .json.filter((l) => l.msg === MAIL_LOGGED)
    .map((l) => l.mail as { subject: string; text: string });
}

/** Runs `act`, then waits for the one mail it makes the server log. */
async function mailFrom(act: () => Promise<unknown>): Promise<{ subject: string; text: string }> {
  const before = loggedMails().length;
  await act();
  await until("the mail in the server log", async () => (loggedMails().length > before ? true : undefined), 10_000, 50);
  const mails = loggedMails();
  expect(mails).toHaveLength(before + 1);
  return mails[before]!;
}

const userId = async (c: TestClient) => (await c.session())!.user!.id!;

async function errorCode(res: Response, status: number): Promise<string> {
  const text = await res.text();
  expect(res.status, text.slice(0, 300)).toBe(status);
  return (JSON.parse(text) as { error: { code: string } }).error.code;
}

describe("mail without SMTP goes to the server log", () => {
  it("the verification link is in the log, without the address, and following it verifies the account", async () => {
    let user: TestClient | undefined;
    const mail = await mailFrom(async () => (user = await signUp(url())));
    expect(mail.subject).toBe("Confirm your email address for PollChat");
    const output = server.current.logs();
    expect(output).not.toContain(user!.email);
    const link = linkIn(mail.text, "/verify-email");
    expect(link.origin).toBe(url());

    expect(await (await user!.get("/account")).text()).toContain("Email address not confirmed yet");
    // As a person would: the page of the link, which posts its token.
    expect((await anonymous(url()).get(`${link.pathname}${link.search}`)).status).toBe(200);
    expect(await json(await anonymous(url()).post("/api/verify-email", { token: link.searchParams.get("token") }), 200)).toEqual({ verified: true });
    expect(await (await user!.get("/account")).text()).toContain("Email address confirmed.");
    expect(await errorCode(await user!.post("/api/account/verify-email", {}), 409)).toBe("conflict");
  });
});

describe("expired links are refused", () => {
  /** Moves the expiry of the user's links of `kind` one second into the past, as time would. */
  async function expire(kind: "verify" | "reset", id: string): Promise<void> {
    await withDirectSql(db, server, async (exec) => {
      const rows = await exec(`update verification_token set expires = now() - interval '1 second' where identifier like $1 returning identifier`, [`${kind}:${id}:%`]);
      expect(rows).toHaveLength(1);
    });
  }

  it("a verification link past its 24 hours does not verify", async () => {
    let user: TestClient | undefined;
    const mail = await mailFrom(async () => (user = await signUp(url())));
    const token = linkIn(mail.text, "/verify-email").searchParams.get("token");
    await expire("verify", await userId(user!));
    expect(await errorCode(await anonymous(url()).post("/api/verify-email", { token }), 404)).toBe("not_found");
    // Still unverified: another link may be asked for (a new client: the server may have moved).
    const again = anonymous(url());
    await again.signIn(user!.email, user!.password);
    expect(await (await again.get("/account")).text()).toContain("Email address not confirmed yet");
  });

  it("a reset link past its hour does not change the password", async () => {
    const user = await signUp(url());
    const id = await userId(user);
    const mail = await mailFrom(async () => json(await anonymous(url()).post("/api/password/forgot", { email: user.email }), 202));
    expect(mail.subject).toBe("Reset your PollChat password");
    const token = linkIn(mail.text, "/reset-password").searchParams.get("token");
    await expire("reset", id);
    expect(await errorCode(await anonymous(url()).post("/api/password/reset", { token, password: "a brand new password" }), 404)).toBe("not_found");
    const old = anonymous(url());
    await old.signIn(user.email, user.password);
    expect(old.jar.has(SESSION_COOKIE)).toBe(true);
  });
});

describe("guests' chat budget includes what they import", () => {
  const file = (n: number) => ({
    format: "pollchat.chats",
    version: 1,
    chats: Array.from({ length: n }, (_, i) => ({
      uuid: crypto.randomUUID(),
      title: `Imported ${i + 1}`,
      agent: "assistant",
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      messages: [],
    })),
  });
  const chatCount = async (c: TestClient) => (await json<{ chats: unknown[] }>(await c.get("/chat/list"), 200)).chats.length;

  async function guest(): Promise<TestClient> {
    const { client, res } = await signInAsGuest(url());
    expect(res.status).toBe(302);
    return client;
  }

  it("a file with more chats than GUEST_CHATS_PER_HOUR is refused whole, with how to split it", async () => {
    const g = await guest();
    const res = await g.post("/api/import", file(GUEST_CHATS + 1));
    expect(res.headers.get("retry-after")).toBeNull();
    const body = (await res.clone().json()) as { error: { message: string } };
    expect(await errorCode(res, 429)).toBe("rate_limited");
    expect(body.error.message).toContain(`Import it in parts of at most ${GUEST_CHATS} chats`);
    expect(await chatCount(g)).toBe(0);
    // Refused, it took nothing: the whole budget is still there.
    await json(await g.post("/api/import", file(GUEST_CHATS)), 201);
    expect(await chatCount(g)).toBe(GUEST_CHATS);
  });

  it("created and imported chats share the guest's hour: more than remain is 429 importing nothing", async () => {
    const g = await guest();
    await createChat(g);
    const refused = await g.post("/api/import", file(GUEST_CHATS));
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await errorCode(refused, 429)).toBe("rate_limited");
    expect(await chatCount(g)).toBe(1);
    await json(await g.post("/api/import", file(GUEST_CHATS - 1)), 201);
    expect(await errorCode(await g.post("/chat/create", {}), 429)).toBe("rate_limited");
    expect(await chatCount(g)).toBe(GUEST_CHATS);
    // An account on the same server has CHATS_PER_HOUR.
    const user = await signUp(url());
    await json(await user.post("/api/import", file(GUEST_CHATS + 1)), 201);
  });
});
