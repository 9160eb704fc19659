/**
 * `npm start`: runs the standalone server that `npm run build` made (.next/standalone/server.js),
 * in this process.
 *
 *   PORT       default 3000 (or `npm start -- -p 4000`)
 *   HOSTNAME   the address to listen on, default 0.0.0.0 (or `-H 127.0.0.1`); a HOSTNAME equal
 *              to the machine's name (shells and containers set it) counts as unset
 *   DATA_DIR, PGLITE_DIR  default to this project's .data/, not the build folder (server.js
 *              changes into .next/standalone, and the next build replaces that folder)
 *
 * SIGTERM and SIGINT are the app's (lib/shutdown.ts, docs/design.md §7.2): NEXT_MANUAL_SIG_HANDLE
 * tells Next's server.js not to install its own handler.
 */
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { completeStandalone } from "./postbuild.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const standalone = path.join(root, ".next", "standalone");
const server = path.join(standalone, "server.js");

if (!existsSync(server)) {
  console.error("No production build found (.next/standalone/server.js). Run `npm run build` first.");
  process.exit(1);
}
// A build made with `next build` rather than `npm run build` lacks the postbuild copies.
if (!existsSync(path.join(standalone, ".next", "static")) || !existsSync(path.join(standalone, "db", "migrations"))) {
  completeStandalone(root);
}

const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const [flag, inline] = args[i].split("=", 2);
  const value = inline ?? args[i + 1];
  if (flag === "-p" || flag === "--port") process.env.PORT = value;
  else if (flag === "-H" || flag === "--hostname") process.env.HOSTNAME = value;
  else {
    console.error(`Unknown option ${args[i]}. Use -p PORT and -H HOSTNAME (or the PORT and HOSTNAME variables).`);
    process.exit(1);
  }
  if (inline === undefined) i++;
}

// Plain Node before the app exists: these defaults are written into the environment that the
// server, and then lib/env.ts (the app's one reader), will read. PORT, HOSTNAME and
// NEXT_MANUAL_SIG_HANDLE are read only by Next's server.js.
const env = process.env;
if (!env.HOSTNAME || env.HOSTNAME === os.hostname()) env.HOSTNAME = "0.0.0.0";
env.PORT ||= "3000";
env.DATA_DIR ||= path.join(root, ".data");
env.PGLITE_DIR ||= path.join(root, ".data", "pglite");
env.MIGRATIONS_DIR ||= path.join(standalone, "db", "migrations");
env.NEXT_MANUAL_SIG_HANDLE ||= "true";

await import(pathToFileURL(server).href);
