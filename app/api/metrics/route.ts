import { publicRoute } from "@/lib/http/route";
import { refuseWithoutBearer } from "@/lib/http/bearer";
import { env } from "@/lib/env";
import { renderMetrics } from "@/lib/metrics";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * This process's metrics in the Prometheus text format, for `Authorization: Bearer
 * $METRICS_TOKEN`. Without METRICS_TOKEN the endpoint does not exist (404).
 */
export const GET = publicRoute({}, async ({ req }) => {
  const refused = refuseWithoutBearer(req, env().METRICS_TOKEN, "metrics", "METRICS_TOKEN");
  if (refused) return refused;
  return new Response(renderMetrics(), {
    headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store" },
  });
});
