/** `npm run db:migrate`: applies the migrations to DATABASE_URL (or the embedded database). */
import { DatabaseConfigError, openDatabase } from "./client.ts";

try {
  const handle = await openDatabase();
  console.log(`Migrations applied (${handle.kind}).`);
  await handle.close();
} catch (err) {
  console.error(err instanceof DatabaseConfigError ? err.message : err);
  process.exit(1);
}
