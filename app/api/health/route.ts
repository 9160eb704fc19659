import { publicRoute } from "@/lib/http/route";
import { checkDatabase } from "@/db/queries/health";

export const dynamic = "force-dynamic";

/** Liveness plus a real query: {ok: true, db: "pglite" | "postgres"}. */
export const GET = publicRoute({}, async () => Response.json({ ok: true, db: await checkDatabase() }));
