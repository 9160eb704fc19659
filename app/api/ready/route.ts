import { publicRoute } from "@/lib/http/route";
import { checkReadiness } from "@/db/queries/ready";
import { log } from "@/lib/log";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const RETRY_AFTER_SECONDS = 5;

/**
 * Readiness, for load balancers and orchestrators: 200 {ready: true, db, migrations} when the
 * database answers and every migration is applied; otherwise 503 with Retry-After.
 */
export const GET = publicRoute({}, async () => {
  let reason: string;
  try {
    const r = await checkReadiness();
    if (r.ready) return Response.json({ ready: true, db: r.db, migrations: r.migrations });
    reason = r.reason ?? "Not ready.";
  } catch (err) {
    log().warn({ err }, "readiness check failed");
    reason = "The database does not answer.";
  }
  return Response.json(
    { ready: false, error: { code: "service_unavailable", message: reason } },
    { status: 503, headers: { "Retry-After": String(RETRY_AFTER_SECONDS), "Cache-Control": "no-store" } },
  );
});
