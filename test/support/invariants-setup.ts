/**
 * A setup file of the integration project: after every test, the shared server's database
 * must keep its invariants (test/support/invariants.ts). A violation fails the test that left
 * it, with the violations in the message. Tests with servers of their own check those
 * themselves before stopping them (ops-helpers.ts ownServer, recovery, shutdown, limits).
 */
import { afterEach, inject } from "vitest";
import { expectInvariants } from "./invariants.ts";

afterEach(async () => {
  await expectInvariants(inject("baseUrl"));
});
