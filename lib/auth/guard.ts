/**
 * What stands between a request and Auth.js's handlers, for two things Auth.js does not do:
 *
 * - It treats a malformed `callbackUrl` (query parameter or its cookie) as a configuration
 *   error and answers 500 to every POST action. It is the client's doing: we answer 400 before
 *   Auth.js sees it, and clear a bad cookie so the browser recovers by itself.
 * - It reads a POST body whole, however large. Its forms are a few hundred bytes: we read at
 *   most AUTH_MAX_BODY_BYTES (413 above) and hand it the body from memory.
 * - The guest provider's endpoints answer 404 while ALLOW_GUESTS is off, like any unknown path.
 */
import "server-only";
import { NextRequest } from "next/server";
import { AppError } from "../errors";
import { readLimitedBytes } from "../http/body";
import { guestsAllowed, guestsOff, isGuestAuthPath } from "./guest";

const COOKIES = ["authjs.callback-url", "__Secure-authjs.callback-url"];
const AUTH_MAX_BODY_BYTES = 16 * 1024;

/** The same test Auth.js applies (an http(s) URL, or a path on this site). */
function isValidCallbackUrl(url: string, origin: string): boolean {
  try {
    return /^https?:/.test(new URL(url, url.startsWith("/") ? origin : undefined).protocol);
  } catch {
    return false;
  }
}

function refuseBadCallbackUrl(req: NextRequest): Response | undefined {
  const { origin, searchParams } = req.nextUrl;
  const query = searchParams.get("callbackUrl");
  if (query !== null && query !== "" && !isValidCallbackUrl(query, origin)) {
    return new AppError("bad_request", "callbackUrl must be a path on this site or an http(s) URL.").toResponse();
  }
  const bad = COOKIES.filter((name) => {
    const value = req.cookies.get(name)?.value;
    return value !== undefined && value !== "" && !isValidCallbackUrl(value, origin);
  });
  if (bad.length === 0) return undefined;
  const res = new AppError("bad_request", "The sign-in redirect cookie was malformed and has been cleared. Try again.").toResponse();
  for (const name of bad) res.headers.append("Set-Cookie", `${name}=; Path=/; Max-Age=0; SameSite=Lax${name.startsWith("__Secure-") ? "; Secure" : ""}`);
  return res;
}

export function guardAuthHandler(handler: (req: NextRequest) => Promise<Response>) {
  return async (req: NextRequest): Promise<Response> => {
    if (isGuestAuthPath(req.nextUrl.pathname) && !guestsAllowed()) return guestsOff().toResponse();
    const refused = refuseBadCallbackUrl(req);
    if (refused) return refused;
    if (req.method !== "POST") return handler(req);
    let body: Buffer;
    try {
      body = await readLimitedBytes(req, AUTH_MAX_BODY_BYTES);
    } catch (err) {
      if (err instanceof AppError) return err.toResponse();
      throw err;
    }
    return handler(new NextRequest(req.url, { method: req.method, headers: req.headers, body: new Uint8Array(body) }));
  };
}
