/**
 * Runs before two kinds of request only (see the matcher), so the 300 ms polls pay nothing:
 *
 * - Pages get a Content-Security-Policy with a fresh nonce (Next.js reads it from the request's
 *   CSP header and puts it on the scripts it renders; the root layout puts it on the theme
 *   script).
 * - A path with a `%` that is not valid percent-encoding (`/chat/%/messages`, `/chat/%ff/…`)
 *   answers 400. Left to Next, such a path in a dynamic segment fails to decode, Next renders its
 *   /400 page, which the App Router does not have, and answers a plain-text 500.
 */
import { NextResponse, type NextRequest } from "next/server";
import { AppError } from "@/lib/errors";
import { pageCsp } from "@/lib/http/security-headers";

// Everything but the API, Next's assets and the htmx client (which has its own policy):
// /api/*, /_next/*, /lite*, /chat/create, /chat/list, /chat/attachments, /chat/message/*, /chat/{uuid}/*, and a
// shared chat's files (/share/{uuid}/attachment/*: their own sandboxing policy, lib/files).
// test/integration/security-headers.test.ts proves every page is matched and no endpoint is.
const PAGE = "/((?!api/|_next/|lite(?:/|$)|chat/(?:create|list|message|attachments)(?:/|$)|chat/[^/]+/|share/[^/]+/attachment/).*)";
const PAGE_RE = new RegExp(`^${PAGE}$`);

function badlyEncoded(pathname: string): boolean {
  if (!pathname.includes("%")) return false;
  for (const segment of pathname.split("/")) {
    try {
      decodeURIComponent(segment);
    } catch {
      return true;
    }
  }
  return false;
}

export function proxy(request: NextRequest): NextResponse | Response {
  const { pathname } = request.nextUrl;
  if (badlyEncoded(pathname)) return new AppError("bad_request", "The URL is not properly percent-encoded.").toResponse();
  if (!PAGE_RE.test(pathname)) return NextResponse.next();

  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const csp = pageCsp(nonce, process.env.NODE_ENV === "development"); // inlined by Next at build: not lib/env.ts
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  // Static strings only (Next reads them at build time): pages, and any path with a `%`.
  matcher: ["/((?!api/|_next/|lite(?:/|$)|chat/(?:create|list|message|attachments)(?:/|$)|chat/[^/]+/|share/[^/]+/attachment/).*)", "/(.*%.*)"],
};
