import { env } from "../env";
import { AppError } from "../errors";

/**
 * Refuses cross-site POSTs (CSRF): a browser tells us where a request comes from with
 * Sec-Fetch-Site and Origin. Requests without either (curl, server-to-server) are allowed:
 * they carry no ambient browser cookies an attacker could ride on.
 */
export function assertSameOrigin(req: Request): void {
  const site = req.headers.get("sec-fetch-site");
  if (site === "same-origin" || site === "none") return;
  const origin = req.headers.get("origin");
  if (origin && origin !== "null") {
    const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost && (originHost === host || env().ALLOWED_ORIGINS.includes(origin))) return;
    throw new AppError("forbidden", "Cross-site requests are not allowed.");
  }
  if (site === "cross-site" || origin === "null") {
    throw new AppError("forbidden", "Cross-site requests are not allowed.");
  }
}
