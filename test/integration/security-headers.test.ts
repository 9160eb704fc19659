/**
 * Security headers: every page (from the route table, so every page file) carries a
 * Content-Security-Policy with a fresh nonce that every script of the page carries, and
 * frame-ancestors 'none'; every response, pages and API alike, carries nosniff, DENY framing
 * and a Referrer-Policy. The API is outside the proxy's matcher: the polls pay nothing.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { STATIC_SECURITY_HEADERS } from "../../lib/http/security-headers.ts";
import { anonymous, signUp, type TestClient } from "../support/client.ts";
import { call, entries, makeIds, type Ids } from "./route-table.ts";
import { sharedBaseUrl } from "../support/context.ts";

const baseUrl = sharedBaseUrl();

let owner: TestClient;
let ids: Ids;

beforeAll(async () => {
  owner = await signUp(baseUrl);
  ids = await makeIds(owner, "[[fake text=headers]]");
});

function expectStaticHeaders(res: Response, what: string) {
  for (const { key, value } of STATIC_SECURITY_HEADERS) expect(res.headers.get(key), `${key} on ${what}`).toBe(value);
}

function directives(csp: string): Map<string, string> {
  return new Map(
    csp
      .split(";")
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(/\s+/)[0]!, d.slice(d.indexOf(" ") + 1)]),
  );
}

/** The policy of a page, checked; answers its script nonce. */
function expectPageCsp(res: Response, what: string): string {
  const csp = res.headers.get("content-security-policy") ?? "";
  const d = directives(csp);
  expect(d.get("frame-ancestors"), `${what}: ${csp}`).toBe("'none'");
  expect(d.get("object-src"), what).toBe("'none'");
  expect(d.get("base-uri"), what).toMatch(/^'(self|none)'$/);
  expect(d.get("script-src"), what).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(d.get("script-src") ?? "")?.[1];
  expect(nonce, `${what}: a script nonce in ${csp}`).toBeTruthy();
  return nonce!;
}

/** Every <script> of the page carries the nonce: none would be blocked, none is unaccounted for. */
function expectScriptsCarry(html: string, nonce: string, what: string) {
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length, what).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag, what).toContain(`nonce="${nonce}"`);
}

const PAGE_ACCESS = ["page", "owner-page", "admin-page", "public-page"];
const pages = entries((e) => PAGE_ACCESS.includes(e.access));

describe("security headers", () => {
  it.each(pages)("$key carries a CSP with a fresh nonce on every script, signed in and out", async (e) => {
    const seen = new Set<string>();
    let rendered = 0;
    for (const client of [owner, owner, anonymous(baseUrl)]) {
      const res = await call(client, e, ids);
      const html = await res.text();
      expectStaticHeaders(res, e.key);
      // A redirect (to /signin, or / to /chat): nothing to protect. The 404 page (/admin for a
      // user who is not an admin) is a page like any other.
      if (res.status !== 200 && res.status !== 404) continue;
      rendered++;
      const nonce = expectPageCsp(res, e.key);
      seen.add(nonce);
      expectScriptsCarry(html, nonce, e.key);
    }
    // / always redirects; /signin and /signup render signed out, the others signed in.
    if (e.key !== "GET /") expect(rendered, "the page renders").toBeGreaterThan(0);
    expect(seen.size, "a new nonce per response").toBe(rendered);
  });

  it("a page that does not exist carries them too", async () => {
    for (const path of ["/no-such-page", `/chat/${randomUUID()}`, `/share/${randomUUID()}`, `/share/${ids.chat}`]) {
      const res = await owner.get(path);
      const html = await res.text();
      expect(res.status).toBe(404);
      expectStaticHeaders(res, path);
      expectScriptsCarry(html, expectPageCsp(res, path), path);
    }
  });

  it.each(entries((e) => !PAGE_ACCESS.includes(e.access)))(
    "$key answers with the static headers, outside the proxy",
    async (e) => {
      const res = await call(owner, e, ids);
      await res.arrayBuffer();
      expectStaticHeaders(res, e.key);
      // Only the pages' proxy writes a nonce policy.
      expect(res.headers.get("content-security-policy") ?? "", e.key).not.toContain("nonce-");
    },
  );
});
