/**
 * After `next build` (npm runs this as `postbuild`): completes the standalone server in
 * .next/standalone so that the folder alone runs the app with `node server.js`:
 *
 *   .next/static   -> .next/standalone/.next/static   (client scripts and styles)
 *   public         -> .next/standalone/public
 *   db/migrations  -> .next/standalone/db/migrations  (applied at start)
 *
 * Idempotent. `node scripts/postbuild.mjs` after a plain `next build` does the same.
 * `completeStandalone(root, dir)` completes a copy of the standalone folder in `dir` instead
 * (test/integration/ops-standalone.test.ts: .next itself is left alone while others use it).
 */
import { cpSync, existsSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

export function completeStandalone(projectRoot = root, standalone = path.join(projectRoot, ".next", "standalone")) {
  if (!existsSync(path.join(standalone, "server.js"))) {
    throw new Error(`No standalone server in ${standalone}: run \`next build\` with output: "standalone" first.`);
  }
  const copies = [
    [path.join(projectRoot, ".next", "static"), path.join(standalone, ".next", "static")],
    [path.join(projectRoot, "public"), path.join(standalone, "public")],
    [path.join(projectRoot, "db", "migrations"), path.join(standalone, "db", "migrations")],
  ];
  for (const [from, to] of copies) {
    if (!existsSync(from)) continue;
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true });
  }
  // Data of a server run from this folder by mistake must not ship with the next build.
  rmSync(path.join(standalone, ".data"), { recursive: true, force: true });
  return standalone;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const dir = completeStandalone();
    console.log(`Standalone server ready in ${path.relative(process.cwd(), dir) || "."} (static files, public, migrations copied).`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
