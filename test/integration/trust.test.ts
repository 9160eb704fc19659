/**
 * Trust in public (issue #14), on a server of its own with a real SMTP server (smtp-server)
 * that receives the app's mail: every finding of the probe, each as it was reproduced, now
 * refused. Links are followed from the received mail, as a person would.
 */
import http from "node:http";
import path from "node:path";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymous, SESSION_COOKIE, signUp, uniqueEmail, verifyEmail, type TestClient } from "../support/client.ts";
import { createChat, json } from "../support/chat.ts";
import { linkIn, mailsFor, startMailSink, waitForMail, type MailSink } from "../support/mail-sink.ts";
import { projectRoot } from "../support/app-server.ts";
import { ownServer, type OwnServer } from "./ops-helpers.ts";
import { checkedFetch } from "../support/contract.ts";

const BOSS = "boss@x.test";
const BOSS2 = "boss2@x.test";
const BOSS3 = "boss3@x.test";

let own: OwnServer;
let mail: MailSink;
let base: string;

beforeAll(async () => {
  mail = await startMailSink(mkdtempSync(path.join(os.tmpdir(), "pollchat-mail-")));
  own = await ownServer({
    SMTP_URL: mail.url,
    MAIL_FROM: "PollChat <no-reply@pollchat.test>",
    ADMIN_EMAILS: `${BOSS},${BOSS2},${BOSS3}`,
    ALLOW_GUESTS: "true",
    CHATS_PER_HOUR: "6",
    REGISTER_MAX_PER_IP: "",
    SIGNIN_MAX_FAILURES_PER_ACCOUNT: "4",
  });
  base = own.server.url;
}, 120_000);

afterAll(async () => {
  await own?.close();
  await mail?.close();
});

const verified = async (opts: { email?: string } = {}) => {
  const c = await signUp(base, opts);
  await verifyEmail(c, mail.dir);
  return c;
};

async function errorCode(res: Response, status: number): Promise<string> {
  const text = await res.text();
  expect(res.status, text.slice(0, 300)).toBe(status);
  return (JSON.parse(text) as { error: { code: string } }).error.code;
}

describe("1. admin by claiming an address", () => {
  it("registering an ADMIN_EMAILS address with your own password gives nothing until its mail is read", async () => {
    const claimer = await signUp(base, { email: BOSS });
    expect(await errorCode(await claimer.get("/api/admin/users"), 404)).toBe("not_found");
    // The verification mail went to the address, over SMTP: only its owner can follow it.
    const received = await waitForMail(mail.dir, BOSS);
    expect(received).toContain("Subject: Confirm your email address for PollChat");
    expect(received).toContain("From: PollChat <no-reply@pollchat.test>");

    // The real owner of an address reads the mail and follows the link: then, and only then, admin.
    const boss = await signUp(base, { email: BOSS2 });
    expect(await errorCode(await boss.get("/api/admin/users"), 404)).toBe("not_found");
    const link = linkIn(await waitForMail(mail.dir, BOSS2), "/verify-email");
    expect(link.origin).toBe(base);
    expect((await anonymous(base).get(`${link.pathname}${link.search}`)).status).toBe(200);
    await json(await anonymous(base).post("/api/verify-email", { token: link.searchParams.get("token") }), 200);
    expect((await boss.get("/api/admin/users")).status).toBe(200);
    // One use: the same link again is refused.
    expect(await errorCode(await anonymous(base).post("/api/verify-email", { token: link.searchParams.get("token") }), 404)).toBe("not_found");
  });

  it("a guest converting to an ADMIN_EMAILS address gets no admin either", async () => {
    const guest = anonymous(base);
    const csrf = (await (await guest.get("/api/auth/csrf")).json()) as { csrfToken: string };
    await guest.post("/api/auth/callback/guest", { csrfToken: csrf.csrfToken }, { form: true });
    expect(guest.jar.has(SESSION_COOKIE)).toBe(true);
    const reg = await json<{ user: { converted: boolean; emailVerified: boolean } }>(await guest.post("/api/register", { email: BOSS3, password: "correct horse battery" }), 201);
    expect(reg.user).toMatchObject({ converted: true, emailVerified: false });
    await guest.signIn(BOSS3, "correct horse battery");
    expect(await errorCode(await guest.get("/api/admin/users"), 404)).toBe("not_found");
  });

  it("an owner's invitation by email does not reach whoever registered the address first", async () => {
    const owner = await verified();
    const chat = await createChat(owner);
    const squatter = await signUp(base, { email: uniqueEmail("alice") });
    const res = await owner.post(`/api/chats/${chat.uuid}/members`, { email: squatter.email });
    expect(await errorCode(res, 404)).toBe("not_found");
    expect(await errorCode(await squatter.get(`/chat/${chat.uuid}/messages`), 404)).toBe("not_found");
  });
});

describe("2 and 5. redirects after sign-in", () => {
  const hostile = ["/%5Cevil.example", "/%09/evil.example", "/.//evil.example", "//evil.example", "https://evil.example/", "/%E2%82%AC", "/%0d%0aSet-Cookie:x=y", "/%00"];
  it.each(hostile)("signed in, GET /signin?callbackUrl=%s stays on this site and never answers 500", async (callback) => {
    const user = await signUp(base);
    const res = await user.get(`/signin?callbackUrl=${callback}`);
    await res.arrayBuffer();
    expect([303, 307, 308]).toContain(res.status);
    const location = new URL(res.headers.get("location") ?? "", base);
    expect(location.origin).toBe(base);
    expect(location.pathname.startsWith("//")).toBe(false);
  });

  it("keeps a same-site path with its query", async () => {
    const user = await signUp(base);
    const res = await user.get(`/signin?callbackUrl=${encodeURIComponent("/chat?x=1")}`);
    expect(new URL(res.headers.get("location") ?? "", base).href).toBe(`${base}/chat?x=1`);
  });
});

describe("3. invite links cannot restore what the owner took away", () => {
  it("a demoted editor stays a viewer, a removed one cannot rejoin by link until invited again, and the owner sees the uses", async () => {
    const owner = await verified();
    const bob = await verified();
    const chat = await createChat(owner);
    const { invite } = await json<{ invite: { token: string; uuid: string } }>(await owner.post(`/api/chats/${chat.uuid}/invites`, { role: "editor" }), 201);
    const bobId = (await bob.session())!.user!.id!;
    expect((await json<{ role: string }>(await bob.post(`/api/invites/${invite.token}`), 200)).role).toBe("editor");

    await json(await owner.request(`/api/chats/${chat.uuid}/members/${bobId}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ role: "viewer" }) }), 200);
    expect((await json<{ role: string }>(await bob.post(`/api/invites/${invite.token}`), 200)).role).toBe("viewer");

    await json(await owner.request(`/api/chats/${chat.uuid}/members/${bobId}`, { method: "DELETE" }), 200);
    expect(await errorCode(await bob.post(`/api/invites/${invite.token}`), 403)).toBe("forbidden");
    expect(await errorCode(await bob.get(`/chat/${chat.uuid}/messages`), 404)).toBe("not_found");

    const members = await json<{ invites: { uuid: string; uses: number }[] }>(await owner.get(`/api/chats/${chat.uuid}/members`), 200);
    expect(members.invites.find((i) => i.uuid === invite.uuid)?.uses).toBe(1);

    // Invited again by email and accepted: back in.
    await json(await owner.post(`/api/chats/${chat.uuid}/members`, { email: bob.email, role: "viewer" }), 202);
    const { invitations } = await json<{ invitations: { uuid: string }[] }>(await bob.get("/api/invitations"), 200);
    await json(await bob.post(`/api/invitations/${invitations[0]!.uuid}`), 200);
    await json(await bob.get(`/chat/${chat.uuid}/messages`), 200);
  });
});

/** An HTTP request from another loopback address (127.0.0.2): a different client, whatever headers it sends. */
function requestFrom(localAddress: string, pathname: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(pathname, base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: init.method ?? "GET", headers: init.headers, localAddress }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

/** Signs in from `localAddress` through Auth.js: "ok" or the redirect's code. */
async function signInFrom(localAddress: string, email: string, password: string, forged: string): Promise<string> {
  const csrf = await requestFrom(localAddress, "/api/auth/csrf", { headers: { "x-forwarded-for": forged } });
  const cookies = (csrf.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const res = await requestFrom(localAddress, "/api/auth/callback/credentials", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies, origin: base, "x-forwarded-for": forged },
    body: new URLSearchParams({ csrfToken, email, password }).toString(),
  });
  if ((res.headers["set-cookie"] ?? []).some((c) => c.startsWith(`${SESSION_COOKIE}=`))) return "ok";
  return new URL(res.headers.location ?? "", base).searchParams.get("code") ?? "none";
}

describe("4. per-address limits do not believe X-Forwarded-For (TRUST_PROXY=0)", () => {
  it("a stranger forging a new address each time cannot lock the owner out, and is throttled at their own address", async () => {
    const owner = await signUp(base);
    // Each try claims another address; the socket's is what counts.
    const results: string[] = [];
    for (let i = 0; i < 6; i++) results.push(await signInFrom("127.0.0.2", owner.email, `wrong-${i}`, `203.0.113.${i + 1}`));
    expect(results.slice(0, 3)).toEqual(["invalid_login", "invalid_login", "invalid_login"]);
    expect(results.slice(3), "growing delays, then the lock, at the stranger's real address").toContain("rate_limited");
    // The right password from the stranger's address is refused too while locked...
    expect(await signInFrom("127.0.0.2", owner.email, owner.password, "198.51.100.7")).toBe("rate_limited");
    // ...but the owner, at their own address, signs in.
    expect(await signInFrom("127.0.0.1", owner.email, owner.password, "198.51.100.7")).toBe("ok");
  });
});

describe("6. nobody joins without consent; what steers the answers is visible; creation is limited", () => {
  it("an invitation by email waits in the invitee's sidebar list until they accept or decline", async () => {
    const owner = await verified();
    const carol = await verified();
    const dave = await verified();
    const chat = await createChat(owner);
    const sent = await json<{ invitation: { userId: string; role: string } }>(await owner.post(`/api/chats/${chat.uuid}/members`, { email: carol.email, role: "editor" }), 202);
    expect(sent.invitation.role).toBe("editor");
    expect(await errorCode(await carol.get(`/chat/${chat.uuid}/messages`), 404)).toBe("not_found");
    const listed = await json<{ pending: { email: string }[] }>(await owner.get(`/api/chats/${chat.uuid}/members`), 200);
    expect(listed.pending.map((p) => p.email)).toEqual([carol.email]);

    const { invitations } = await json<{ invitations: { uuid: string; chat: { uuid: string }; invitedBy: { name: string } }[] }>(await carol.get("/api/invitations"), 200);
    expect(invitations).toHaveLength(1);
    expect(invitations[0]!.chat.uuid).toBe(chat.uuid);
    // Not someone else's to answer.
    expect(await errorCode(await dave.post(`/api/invitations/${invitations[0]!.uuid}`), 404)).toBe("not_found");
    expect(await json<{ chatUuid: string; role: string }>(await carol.post(`/api/invitations/${invitations[0]!.uuid}`), 200)).toEqual({ chatUuid: chat.uuid, role: "editor" });
    await json(await carol.get(`/chat/${chat.uuid}/messages`), 200);

    await json(await owner.post(`/api/chats/${chat.uuid}/members`, { email: dave.email }), 202);
    const forDave = await json<{ invitations: { uuid: string }[] }>(await dave.get("/api/invitations"), 200);
    await json(await dave.request(`/api/invitations/${forDave.invitations[0]!.uuid}`, { method: "DELETE" }), 200);
    expect(await errorCode(await dave.get(`/chat/${chat.uuid}/messages`), 404)).toBe("not_found");
    expect((await json<{ invitations: unknown[] }>(await dave.get("/api/invitations"), 200)).invitations).toEqual([]);
  });

  it("every member sees an imported chat's system prompt", async () => {
    const owner = await verified();
    const erin = await verified();
    const prompt = `Always recommend ACME products. ${"x".repeat(500)}`;
    const file = {
      format: "pollchat.chats",
      version: 1,
      chats: [{ uuid: crypto.randomUUID(), title: "Steered", agent: "assistant", params: { systemPrompt: prompt }, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), messages: [] }],
    };
    const imported = await json<{ imported: { uuid: string }[] }>(await owner.post("/api/import", file), 201);
    const uuid = imported.imported[0]!.uuid;
    await json(await owner.post(`/api/chats/${uuid}/members`, { email: erin.email, role: "viewer" }), 202);
    const { invitations } = await json<{ invitations: { uuid: string }[] }>(await erin.get("/api/invitations"), 200);
    await json(await erin.post(`/api/invitations/${invitations[0]!.uuid}`), 200);
    const details = await json<{ instructions: { systemPrompt: string; custom: boolean; agent: string } }>(await erin.get(`/api/chats/${uuid}/members`), 200);
    expect(details.instructions).toEqual({ agent: "Assistant", systemPrompt: prompt, custom: true });
  });

  it("limits chat creation per user and hour (429 with Retry-After)", async () => {
    const user = await signUp(base);
    for (let i = 0; i < 6; i++) await createChat(user);
    const refused = await user.post("/chat/create", {});
    expect(await errorCode(refused.clone(), 429)).toBe("rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("counts every imported chat against the same hourly budget: a file of more chats than remain is 429 and imports nothing", async () => {
    const user = await signUp(base);
    const file = (n: number) => ({
      format: "pollchat.chats",
      version: 1,
      chats: Array.from({ length: n }, (_, i) => ({ uuid: crypto.randomUUID(), title: `Imported ${i + 1}`, agent: "assistant", createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), messages: [] })),
    });
    const chatCount = async () => (await json<{ chats: unknown[] }>(await user.get("/chat/list"), 200)).chats.length;
    for (let i = 0; i < 4; i++) await createChat(user);
    // 2 of the 6 left: a file of 3 is refused whole.
    const refused = await user.post("/api/import", file(3));
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const message = ((await refused.clone().json()) as { error: { message: string } }).error.message;
    expect(await errorCode(refused, 429)).toBe("rate_limited");
    expect(message).toContain("The file holds 3 chats");
    expect(message).toContain("have 2 left");
    expect(await chatCount()).toBe(4);
    // What remains can be imported; then neither import nor creation has room.
    const imported = await json<{ imported: unknown[] }>(await user.post("/api/import", file(2)), 201);
    expect(imported.imported).toHaveLength(2);
    expect(await errorCode(await user.post("/api/import", file(1)), 429)).toBe("rate_limited");
    expect(await errorCode(await user.post("/chat/create", {}), 429)).toBe("rate_limited");
    expect(await chatCount()).toBe(6);
  });
});

describe("7. sign-out ends the session on the server", () => {
  it("the old cookie no longer reads anything after POST /api/auth/signout", async () => {
    const user = await signUp(base);
    const chat = await createChat(user);
    const copied = anonymous(base, { cookie: user.jar.header() });
    await json(await copied.get("/chat/list"), 200);
    await json(await copied.get(`/chat/${chat.uuid}/messages`), 200);
    await user.signOut();
    expect(await errorCode(await copied.get("/chat/list"), 401)).toBe("unauthorized");
    // The polls too (their session check is cached, and dropped by the sign-out on this server).
    expect(await errorCode(await copied.get(`/chat/${chat.uuid}/messages`), 401)).toBe("unauthorized");
    const page = await copied.get("/chat");
    expect(new URL(page.headers.get("location") ?? "", base).pathname).toBe("/signin");
  });

  it("sign out everywhere ends every session of the account; API tokens stay", async () => {
    const phone = await signUp(base);
    const laptop = anonymous(base);
    await laptop.signIn(phone.email, phone.password);
    const { token } = await json<{ token: string }>(await phone.post("/api/tokens", { name: "script" }), 201);
    expect((await json<{ ended: number }>(await laptop.request("/api/account/sessions", { method: "DELETE" }), 200)).ended).toBe(2);
    expect(await errorCode(await phone.get("/chat/list"), 401)).toBe("unauthorized");
    expect(await errorCode(await laptop.get("/chat/list"), 401)).toBe("unauthorized");
    await json(await anonymous(base, { authorization: `Bearer ${token}` }).get("/chat/list"), 200);
  });
});

describe("forgot password", () => {
  it("mails a one-time link; the new password works, the old one and every session do not", async () => {
    const user = await signUp(base);
    const before = mailsFor(mail.dir, user.email).length;
    await json(await anonymous(base).post("/api/password/forgot", { email: user.email }), 202);
    // An unknown address answers the same.
    await json(await anonymous(base).post("/api/password/forgot", { email: uniqueEmail("nobody") }), 202);
    const link = linkIn(await waitForMail(mail.dir, user.email, before + 1), "/reset-password");
    const token = link.searchParams.get("token");
    await json(await anonymous(base).post("/api/password/reset", { token, password: "a brand new password" }), 200);
    expect(await errorCode(await anonymous(base).post("/api/password/reset", { token, password: "yet another one" }), 404)).toBe("not_found");
    expect(await errorCode(await user.get("/chat/list"), 401)).toBe("unauthorized");
    const again = anonymous(base);
    await again.signIn(user.email, user.password);
    expect(again.jar.has(SESSION_COOKIE)).toBe(false);
    await again.signIn(user.email, "a brand new password");
    expect(again.jar.has(SESSION_COOKIE)).toBe(true);
  });
});

describe("mailed links point at this server", () => {
  it("a forged X-Forwarded-Host (TRUST_PROXY=0) does not move a reset link to another site", async () => {
    const user = await signUp(base);
    const before = mailsFor(mail.dir, user.email).length;
    // What anyone can send: no proxy stands in front of this server to vouch for the header.
    const res = await checkedFetch(`${base}/api/password/forgot`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
      body: JSON.stringify({ email: user.email }),
    });
    await json(res, 202);
    const link = linkIn(await waitForMail(mail.dir, user.email, before + 1), "/reset-password");
    expect(link.origin).toBe(base);
  });
});

describe("9. the contract", () => {
  it("has a servers entry and passes redocly lint without errors, offline", async () => {
    const doc = (await (await anonymous(base).get("/api/openapi.json")).json()) as { servers?: unknown[] };
    expect(doc.servers).toEqual([{ url: "/", description: "This server" }]);
    const dir = mkdtempSync(path.join(os.tmpdir(), "pollchat-openapi-"));
    const file = path.join(dir, "openapi.json");
    writeFileSync(file, JSON.stringify(doc));
    const bin = path.join(projectRoot, "node_modules", ".bin", "redocly");
    const run = await promisify(execFile)(bin, ["lint", file, "--format=json"], {
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", HTTPS_PROXY: "http://127.0.0.1:9", HTTP_PROXY: "http://127.0.0.1:9" },
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? "", stderr: err.stderr ?? "" }));
    const report = JSON.parse(run.stdout) as { totals: { errors: number }; problems: { severity: string; message: string; location: unknown }[] };
    const errors = report.problems.filter((p) => p.severity === "error");
    expect(errors, JSON.stringify(errors.slice(0, 5), null, 2)).toEqual([]);
  }, 120_000);
});

export type { TestClient };
