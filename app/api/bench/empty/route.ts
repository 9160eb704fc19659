/**
 * The floor for `npm run bench` (bench/poll-cost.ts): a route handler that does nothing,
 * in the same app, so the polls' throughput is measured against it side by side. No session,
 * no database, no guard: what Next.js itself costs per request.
 */
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export function GET(): Response {
  return Response.json({});
}
