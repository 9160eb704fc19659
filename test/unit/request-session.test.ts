/**
 * The route handlers' session (lib/auth/request-session.ts) answers what Auth.js's auth()
 * answered: the user of a valid cookie, null for none, a forged, tampered or expired one, and
 * the cache never keeps a session past its token's expiry.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { encode } from "next-auth/jwt";
import { clearSessionCache, requestSessionUser } from "@/lib/auth/request-session";

const SECRET = "unit-test-secret-0123456789abcdef0123456789abcdef";
const NAME = "authjs.session-token";
const SECURE_NAME = "__Secure-authjs.session-token";

function request(cookie: string | undefined, proto = "http"): Request {
  const headers = new Headers({ "x-forwarded-proto": proto });
  if (cookie !== undefined) headers.set("cookie", cookie);
  return new Request("http://localhost/chat/list", { headers });
}

async function cookieFor(opts: { sub?: string; maxAge?: number; secret?: string; salt?: string } = {}): Promise<string> {
  return encode({
    token: { sub: opts.sub ?? "user-1", sid: "session-1", email: "a@example.test", name: "A" },
    secret: opts.secret ?? SECRET,
    salt: opts.salt ?? NAME,
    maxAge: opts.maxAge ?? 3600,
  });
}

beforeEach(() => {
  vi.stubEnv("AUTH_SECRET", SECRET);
  vi.stubEnv("AUTH_URL", "");
  clearSessionCache();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe("requestSessionUser", () => {
  it("reads the user of a valid session cookie, among other cookies", async () => {
    const token = await cookieFor();
    const user = await requestSessionUser(request(`theme=dark; ${NAME}=${token}`));
    expect(user).toEqual({ id: "user-1", sid: "session-1", email: "a@example.test", name: "A" });
  });

  it("answers null without a cookie, for a tampered one, another secret's, or another cookie name's", async () => {
    const token = await cookieFor();
    expect(await requestSessionUser(request(undefined))).toBeNull();
    expect(await requestSessionUser(request("theme=dark"))).toBeNull();
    const tampered = token.slice(0, 40) + (token[40] === "A" ? "B" : "A") + token.slice(41);
    expect(await requestSessionUser(request(`${NAME}=${tampered}`))).toBeNull();
    expect(await requestSessionUser(request(`${NAME}=${await cookieFor({ secret: "another-secret-0123456789abcdef0123456789" })}`))).toBeNull();
    // Over http Auth.js reads the plain name only; a __Secure- cookie (or its salt) is not it.
    expect(await requestSessionUser(request(`${SECURE_NAME}=${await cookieFor({ salt: SECURE_NAME })}`))).toBeNull();
    expect(await requestSessionUser(request(`${NAME}=${await cookieFor({ salt: SECURE_NAME })}`))).toBeNull();
  });

  it("uses the __Secure- cookie behind https, as Auth.js does", async () => {
    const secure = await cookieFor({ salt: SECURE_NAME });
    expect((await requestSessionUser(request(`${SECURE_NAME}=${secure}`, "https")))?.id).toBe("user-1");
    expect(await requestSessionUser(request(`${NAME}=${await cookieFor()}`, "https"))).toBeNull();
  });

  it("refuses an expired token, and does not keep a cached session past its token's expiry", async () => {
    expect(await requestSessionUser(request(`${NAME}=${await cookieFor({ maxAge: -60 })}`))).toBeNull();

    vi.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    const cookie = `${NAME}=${await cookieFor({ maxAge: 5 })}`;
    expect((await requestSessionUser(request(cookie)))?.id).toBe("user-1");
    vi.setSystemTime(Date.now() + 3_000);
    expect((await requestSessionUser(request(cookie)))?.id).toBe("user-1");
    // Past the expiry and Auth.js's 15 s clock tolerance: decoded again, and refused.
    vi.setSystemTime(Date.now() + 20_000);
    expect(await requestSessionUser(request(cookie))).toBeNull();
  });
});
