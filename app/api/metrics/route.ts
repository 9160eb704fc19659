import { timingSafeEqual } from "node:crypto";
import { publicRoute } from "@/lib/http/route";
import { AppError, notFound } from "@/lib/errors";
import { env } from "@/lib/env";
import { renderMetrics } from "@/lib/metrics";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * This process's metrics in the Prometheus text format, for `Authorization: Bearer
 * $METRICS_TOKEN`. Without METRICS_TOKEN the endpoint does not exist (404).
 */
export const GET = publicRoute({}, async ({ req }) => {
  const token = env().METRICS_TOKEN;
  if (!token) throw notFound("Not found.");
  const given = /^Bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "")?.[1]?.trim() ?? "";
  if (!sameToken(given, token)) {
    const err = new AppError("unauthorized", "Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.");
    return Response.json(err.toJSON(), { status: err.status, headers: { "WWW-Authenticate": 'Bearer realm="metrics"' } });
  }
  return new Response(renderMetrics(), {
    headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store" },
  });
});
