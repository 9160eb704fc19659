/**
 * Server start: validate the environment, make sure there is an auth secret, open the
 * database and apply migrations. Anything wrong stops the process with one clear sentence.
 * (Throwing from register() would leave `next start` up and answering 500 to everything.)
 */
import { env, EnvError } from "./env";
import { ensureAuthSecret } from "./auth/secret";
import { DatabaseConfigError, getDatabase, pgliteDir } from "@/db/client";
import { installShutdown } from "./shutdown";
import { log, logFatalSync } from "./log";

function die(message: string): never {
  logFatalSync(`Cannot start: ${message}`);
  process.exit(1);
}

export async function startServer(): Promise<void> {
  try {
    const e = env();
    ensureAuthSecret();
    // Next's dev server keeps the exit, and so does Vercel's platform (lib/shutdown.ts).
    installShutdown({ graceMs: e.SHUTDOWN_GRACE_MS, ownExit: e.NODE_ENV === "production" && !e.VERCEL });
    const { kind } = await getDatabase();
    log().info({ db: kind }, `database: ${kind === "pglite" ? `embedded PGlite in ${pgliteDir()}` : "PostgreSQL (DATABASE_URL)"}, migrations applied`);
  } catch (err) {
    if (err instanceof EnvError || err instanceof DatabaseConfigError) die(err.message);
    die(`${(err as Error)?.message ?? String(err)}`);
  }
}
