import { z } from "zod";
import { publicRoute, validationError } from "@/lib/http/route";
import { refuseWithoutBearer } from "@/lib/http/bearer";
import { env } from "@/lib/env";
import { findInvariantViolations } from "@/db/queries/invariants";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const query = z.object({
  /** Also report generations nobody has run for this long (db/queries/invariants.ts, liveness). */
  leaseGraceMs: z.coerce.number().int().min(0).max(86_400_000).optional(),
});

/**
 * The database's invariants (db/queries/invariants.ts), for `Authorization: Bearer $OPS_TOKEN`:
 * 200 {ok, violations: [{kind, ids, detail}]}. Ids only, never message text. Without
 * OPS_TOKEN the endpoint does not exist (404).
 */
export const GET = publicRoute({}, async ({ req }) => {
  const refused = refuseWithoutBearer(req, env().OPS_TOKEN, "ops", "OPS_TOKEN");
  if (refused) return refused;
  const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw validationError(parsed.error, "query");
  const violations = await findInvariantViolations({ leaseGraceMs: parsed.data.leaseGraceMs });
  return Response.json({ ok: violations.length === 0, violations }, { headers: { "Cache-Control": "no-store" } });
});
