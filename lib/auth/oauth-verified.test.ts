/**
 * Which OAuth addresses count as verified (oauth-verified.ts). Google's answer is in the
 * profile; GitHub's is asked over HTTP, here of a local server that answers as GitHub's
 * `GET /user/emails` does, for the token it was given.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthEmailVerified } from "./oauth-verified";

describe("Google", () => {
  const google = (profile: unknown, email = "ann@example.test") => oauthEmailVerified({ provider: "google", email, profile });

  it("counts the address when the profile says email_verified for that very address", async () => {
    expect(await google({ email: "Ann@Example.test", email_verified: true })).toBe(true);
  });

  it("does not when it is unverified, the flag is not a boolean true, or the profile names another address", async () => {
    expect(await google({ email: "ann@example.test", email_verified: false })).toBe(false);
    expect(await google({ email: "ann@example.test", email_verified: "true" })).toBe(false);
    expect(await google({ email: "ann@example.test" })).toBe(false);
    expect(await google({ email: "other@example.test", email_verified: true })).toBe(false);
    expect(await google(undefined)).toBe(false);
  });
});

describe("GitHub", () => {
  const TOKEN = "gho_test-token";
  const emails = [
    { email: "Primary@Example.test", primary: true, verified: true, visibility: "private" },
    { email: "second@example.test", primary: false, verified: true, visibility: null },
    { email: "unconfirmed@example.test", primary: false, verified: false, visibility: null },
  ];
  let server: http.Server;
  let api: string;
  const seen: { path: string; authorization: string | undefined }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ path: req.url ?? "", authorization: req.headers.authorization });
      if (req.url !== "/user/emails") return void res.writeHead(404).end();
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401, { "content-type": "application/json" }).end('{"message":"Bad credentials"}');
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(emails));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const github = (email: string, accessToken: string | undefined = TOKEN, githubApi = api) => oauthEmailVerified({ provider: "github", email, accessToken, githubApi });

  it("counts the primary verified address, asked with the user's token", async () => {
    expect(await github("primary@example.test")).toBe(true);
    expect(seen.at(-1)).toEqual({ path: "/user/emails", authorization: `Bearer ${TOKEN}` });
  });

  it("counts another address GitHub verified, not one it did not, nor one the list lacks", async () => {
    expect(await github("second@example.test")).toBe(true);
    expect(await github("unconfirmed@example.test")).toBe(false);
    expect(await github("someone-else@example.test")).toBe(false);
  });

  it("does not count anything when GitHub refuses the token, cannot be reached, or no token was given", async () => {
    expect(await github("primary@example.test", "gho_revoked")).toBe(false);
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const gone = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await github("primary@example.test", TOKEN, gone)).toBe(false);
    const before = seen.length;
    expect(await oauthEmailVerified({ provider: "github", email: "primary@example.test", githubApi: api })).toBe(false);
    expect(seen.length).toBe(before);
  });

  it("another provider's address never counts", async () => {
    expect(await oauthEmailVerified({ provider: "gitlab", email: "primary@example.test", accessToken: TOKEN })).toBe(false);
  });
});
