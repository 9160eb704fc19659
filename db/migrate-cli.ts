/** `npm run db:migrate`: applies the migrations to DATABASE_URL (or the embedded database). */
import { DatabaseConfigError, openDatabase } from "./client.ts";
import { EnvError } from "../lib/env.ts";

try {
  const handle = await openDatabase();
  console.log(`Migrations applied (${handle.kind}).`);
  await handle.close();
} catch (err) {
  console.error(err instanceof DatabaseConfigError || err instanceof EnvError ? err.message : err);
  process.exit(1);
}
