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
import { startChangeFeed } from "./changes/feed";

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
    // The polls' caches follow the database's change notifications (docs/design.md §8.3). Not
    // fatal: without the feed every poll asks the database, as it always did.
    await startChangeFeed().catch((err: unknown) => log().warn({ err }, "change feed: could not listen; polls ask the database"));
  } catch (err) {
    if (err instanceof EnvError || err instanceof DatabaseConfigError) die(err.message);
    die(`${(err as Error)?.message ?? String(err)}`);
  }
}
