/**
 * A setup file of the integration project: after every test, the shared server's database
 * must keep its invariants (test/support/invariants.ts). A violation fails the test that left
 * it, with the violations in the message. Violations that were already there (left by an
 * earlier test, which failed for them) are not blamed on the tests that follow. Tests with
 * servers of their own check those themselves before stopping them (ops-helpers.ts ownServer,
 * recovery, shutdown, limits).
 */
import { afterEach, beforeAll } from "vitest";
import { invariantViolations, describeViolations, type Violation } from "./invariants.ts";
import { sharedBaseUrl } from "./context.ts";

const key = (v: Violation) => `${v.kind} ${JSON.stringify(v.ids)}`;
const known = new Set<string>();

beforeAll(async () => {
  for (const v of await invariantViolations(sharedBaseUrl())) known.add(key(v));
});

afterEach(async () => {
  const fresh = (await invariantViolations(sharedBaseUrl())).filter((v) => !known.has(key(v)));
  for (const v of fresh) known.add(key(v));
  if (fresh.length > 0) throw new Error(describeViolations(fresh, sharedBaseUrl()));
});
