/**
 * Answers 400 for a path that is not valid percent-encoding (`/chat/%/messages`, `/chat/%ff/…`).
 * Left to Next, such a path in a dynamic segment fails to decode, Next renders its /400 page,
 * which the App Router does not have, and answers a plain-text 500. The matcher sends only
 * paths with a `%` here, so polls (plain uuids) never pay for it.
 */
import { NextResponse, type NextRequest } from "next/server";
import { AppError } from "@/lib/errors";

export function proxy(req: NextRequest): NextResponse | Response {
  for (const segment of req.nextUrl.pathname.split("/")) {
    try {
      decodeURIComponent(segment);
    } catch {
      return new AppError("bad_request", "The URL is not properly percent-encoded.").toResponse();
    }
  }
  return NextResponse.next();
}

export const config = { matcher: ["/(.*%.*)"] };
