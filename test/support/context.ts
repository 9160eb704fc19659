/** Typed access to what test/support/global-setup.ts provides. */
import { inject } from "vitest";
import { z } from "zod";

/** The env the shared app server runs with: start another server with it (startAppServer). */
export function providedAppEnv(): Record<string, string> {
  return z.record(z.string(), z.string()).parse(JSON.parse(inject("appEnv")));
}

/**
 * Which database the shared server uses. With PGlite ("") its directory is locked by the
 * shared server: a test that needs a server of its own (to SIGKILL it, say) makes its own
 * database with createTestDatabase() and testAppEnv(). With PostgreSQL it may reuse the
 * provided env, and so share the database with the shared server.
 */
export function providedDatabaseUrl(): string {
  return inject("databaseUrl");
}
