/**
 * The database invariants (db/queries/invariants.ts) as seen through a server's operator
 * endpoint, GET /api/ops/invariants: the app holds the database (PGlite is one process at a
 * time), so the test process asks the app rather than opening it.
 */
import { TEST_OPS_TOKEN } from "./app-server.ts";

export interface Violation {
  kind: string;
  ids: Record<string, string>;
  detail: string;
}

/**
 * Test servers renew leases every second (LEASE_MS 3000): a lease that expired this long ago
 * on a live server means a generation nobody runs any more, not a slow heartbeat.
 */
export const TEST_LEASE_GRACE_MS = 15_000;

export async function invariantViolations(baseUrl: string, opts: { leaseGraceMs?: number | null } = {}): Promise<Violation[]> {
  const grace = opts.leaseGraceMs === undefined ? TEST_LEASE_GRACE_MS : opts.leaseGraceMs;
  const url = new URL("/api/ops/invariants", baseUrl);
  if (grace !== null) url.searchParams.set("leaseGraceMs", String(grace));
  const res = await fetch(url, { headers: { authorization: `Bearer ${TEST_OPS_TOKEN}` }, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /api/ops/invariants answered ${res.status}: ${text.slice(0, 500)}`);
  return (JSON.parse(text) as { violations: Violation[] }).violations;
}

export function describeViolations(violations: Violation[], baseUrl: string): string {
  const lines = violations.map((v) => `  ${v.kind}: ${v.detail} ${JSON.stringify(v.ids)}`);
  return `The database breaks ${violations.length} invariant(s) (${baseUrl}):\n${lines.join("\n")}`;
}

/** Throws, listing them, when the server's database breaks an invariant. */
export async function expectInvariants(baseUrl: string, opts: { leaseGraceMs?: number | null } = {}): Promise<void> {
  const violations = await invariantViolations(baseUrl, opts);
  if (violations.length > 0) throw new Error(describeViolations(violations, baseUrl));
}
