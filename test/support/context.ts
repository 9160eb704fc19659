/**
 * Typed access to what test/support/global-setup.ts provides: the shared stack (app server,
 * fake OpenAI server, database) of the worker running this file. Integration files run in up
 * to INTEGRATION_WORKERS workers at once, each with a stack of its own; vitest numbers its
 * workers 1..maxWorkers in VITEST_POOL_ID.
 */
import { inject } from "vitest";
import { z } from "zod";

export interface SharedStack {
  /** The shared app server, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** The fake OpenAI-compatible server, including /v1 */
  fakeOpenAIUrl: string;
  /** The fresh PostgreSQL database the app uses, or "" when it uses PGlite. */
  databaseUrl: string;
  /** The env the app server was started with. */
  appEnv: Record<string, string>;
}

const stackSchema = z.object({
  baseUrl: z.string(),
  fakeOpenAIUrl: z.string(),
  databaseUrl: z.string(),
  appEnv: z.record(z.string(), z.string()),
});

let mine: SharedStack | undefined;

/** This worker's shared stack. */
export function sharedStack(): SharedStack {
  if (mine) return mine;
  const stacks = z.array(stackSchema).min(1).parse(JSON.parse(inject("sharedStacks")));
  const id = Number(process.env.VITEST_POOL_ID ?? "1");
  mine = stacks[(Number.isInteger(id) && id >= 1 ? id - 1 : 0) % stacks.length]!;
  return mine;
}

/** This worker's shared app server, e.g. http://127.0.0.1:41234 (no trailing slash). */
export function sharedBaseUrl(): string {
  return sharedStack().baseUrl;
}

/** This worker's fake OpenAI-compatible server (its URL includes /v1). */
export function sharedFakeOpenAIUrl(): string {
  return sharedStack().fakeOpenAIUrl;
}

/** The env the shared app server runs with: start another server with it (startAppServer). */
export function providedAppEnv(): Record<string, string> {
  return { ...sharedStack().appEnv };
}

/**
 * Which database the shared server uses. With PGlite ("") its directory is locked by the
 * shared server: a test that needs a server of its own (to SIGKILL it, say) makes its own
 * database with createTestDatabase() and testAppEnv(). With PostgreSQL it may reuse the
 * provided env, and so share the database with the shared server.
 */
export function providedDatabaseUrl(): string {
  return sharedStack().databaseUrl;
}
