import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * The guard alone (session, request id, metrics, log line), no database: bench/poll-cost.ts
 * measures it to tell what the session costs apart from what the polls' queries cost.
 */
export const GET = route({}, async ({ user }) => Response.json({ id: user.id }));
