/**
 * Gives every page a Content-Security-Policy with a fresh nonce (Next.js reads it from the
 * request's CSP header and puts it on the scripts it renders; the root layout puts it on the
 * theme script). The matcher keeps the proxy off the API: the 300 ms polls pay nothing.
 */
import { NextResponse, type NextRequest } from "next/server";
import { pageCsp } from "@/lib/http/security-headers";

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const csp = pageCsp(nonce, process.env.NODE_ENV === "development");
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  matcher: [
    // Everything but the API, Next's assets and the htmx client (which has its own policy):
    // /api/*, /_next/*, /lite*, /chat/create, /chat/list, /chat/message/*, /chat/{uuid}/*.
    // test/integration/route-table.test.ts proves every page is matched and no endpoint is.
    "/((?!api/|_next/|lite(?:/|$)|chat/(?:create|list|message)(?:/|$)|chat/[^/]+/).*)",
  ],
};
