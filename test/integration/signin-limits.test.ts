/**
 * Sign-in and sign-up rate limits over real HTTP, on a server of their own (a short window,
 * small limits, TRUST_PROXY=1 so X-Forwarded-For stands for the client's address): failed
 * sign-ins lock the account from that address, even for the right password, until the window
 * has passed, and leave the owner at other addresses and other accounts alone; an address is limited likewise across accounts; sign-ups are
 * counted per address. The counts live in the database, and nothing secret reaches the log.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymous, SESSION_COOKIE, signUp, uniqueEmail } from "../support/client.ts";
import { until } from "../support/chat.ts";
import { ownServer, type OwnServer } from "./ops-helpers.ts";

const WINDOW_SECONDS = 15;
const PER_ACCOUNT = 3;
const PER_IP = 5;
const REGISTER_PER_IP = 3;

let own: OwnServer;
let base: string;
const passwords: string[] = [];

beforeAll(async () => {
  own = await ownServer({
    SIGNIN_WINDOW_SECONDS: String(WINDOW_SECONDS),
    SIGNIN_MAX_FAILURES_PER_ACCOUNT: String(PER_ACCOUNT),
    SIGNIN_MAX_FAILURES_PER_IP: String(PER_IP),
    REGISTER_MAX_PER_IP: String(REGISTER_PER_IP),
    TRUST_PROXY: "1",
  });
  base = own.server.url;
});
afterAll(async () => {
  await own?.close();
});

/** A made-up client address (TEST-NET-3), different for every call. */
let ipCounter = 0;
const newIp = () => `198.51.100.${++ipCounter}`;

async function account(): Promise<{ email: string; password: string }> {
  const password = `pw-${randomBytes(8).toString("hex")}`;
  passwords.push(password);
  const client = await signUp(base, { password, headers: { "x-forwarded-for": newIp() } });
  return { email: client.email, password };
}

/** Signs in from `address`: "ok", or the code Auth.js put in the redirect (invalid_login, rate_limited). */
async function signIn(email: string, password: string, address: string): Promise<string> {
  passwords.push(password);
  const client = anonymous(base, { "x-forwarded-for": address });
  const res = await client.signIn(email, password);
  expect(res.status).toBe(302);
  if (client.jar.has(SESSION_COOKIE)) return "ok";
  const location = new URL(res.headers.get("location") ?? "", base);
  expect(location.pathname).toBe("/signin");
  return location.searchParams.get("code") ?? `no code in ${location.href}`;
}

describe("sign-in rate limits", () => {
  it("lock an account from an address after failed sign-ins there, even for the right password, until the window has passed", async () => {
    const alice = await account();
    const bob = await account();
    const attacker = newIp();
    const started = Date.now();
    for (let i = 0; i < PER_ACCOUNT; i++) expect(await signIn(alice.email, `wrong-${i}`, attacker)).toBe("invalid_login");

    expect(await signIn(alice.email, alice.password, attacker)).toBe("rate_limited");
    // Per account AND address: a stranger's failures do not lock the owner out from elsewhere.
    expect(await signIn(alice.email, alice.password, newIp()), "the owner, from another address").toBe("ok");
    expect(await signIn(bob.email, bob.password, attacker), "another account, from that address").toBe("ok");

    const page = await (await anonymous(base).get("/signin?error=CredentialsSignin&code=rate_limited")).text();
    expect(page).toContain("Too many failed sign-ins for this account or network. Wait a few minutes, then try again.");

    // Attempts while locked are not counted: the lock lifts one window after the first failure.
    await until("the lock to lift", async () => ((await signIn(alice.email, alice.password, attacker)) === "ok" ? true : undefined), 60_000, 500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(WINDOW_SECONDS * 1000);
    // A successful sign-in forgets the account's failures.
    expect(await signIn(alice.email, "wrong-again", newIp())).toBe("invalid_login");
    expect(await signIn(alice.email, alice.password, newIp())).toBe("ok");
  });

  it("count a try before its password is checked: guesses sent at once get no more than the limit evaluated", async () => {
    const dana = await account();
    const attacker = newIp();
    const burst = 4 * PER_ACCOUNT;
    const results = await Promise.all(Array.from({ length: burst }, (_, i) => signIn(dana.email, `wrong-${i}`, attacker)));
    const wrong = results.filter((r) => r === "invalid_login").length;
    expect(wrong, results.join(", ")).toBeGreaterThan(0);
    expect(wrong, results.join(", ")).toBeLessThanOrEqual(PER_ACCOUNT);
    expect(results.filter((r) => r === "rate_limited")).toHaveLength(burst - wrong);
    // The owner, elsewhere, is not locked out by the burst.
    expect(await signIn(dana.email, dana.password, newIp())).toBe("ok");
  });

  it("lock an address after failed sign-ins across accounts, and leave other addresses alone", async () => {
    const carol = await account();
    const scanner = newIp();
    for (let i = 0; i < PER_IP; i++) expect(await signIn(uniqueEmail("nobody"), "guess", scanner)).toBe("invalid_login");
    expect(await signIn(carol.email, carol.password, scanner)).toBe("rate_limited");
    expect(await signIn(carol.email, carol.password, newIp())).toBe("ok");
  });

  it("count sign-ups per address: 429 with Retry-After past the limit", async () => {
    const office = newIp();
    const register = (address: string) =>
      anonymous(base, { "x-forwarded-for": address }).post("/api/register", { email: uniqueEmail(), password: "correct horse battery" });
    for (let i = 0; i < REGISTER_PER_IP; i++) expect((await register(office)).status).toBe(201);
    const refused = await register(office);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    expect((await register(newIp())).status).toBe(201);
  });

  it("log the refusal without the email or any password", async () => {
    const output = own.server.logs();
    expect(output).toContain('"msg":"sign-in rate limited"');
    for (const p of passwords) expect(output).not.toContain(p);
    expect(output).not.toMatch(/@example\.test/);
  });
});
