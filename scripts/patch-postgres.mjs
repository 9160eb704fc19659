/**
 * Fixes a race in postgres.js 3.4.9 (the newest release) at install (npm's postinstall).
 *
 * `sql.begin()` reserves its connection in an `onexecute` hook that runs last in an `&&` chain
 * after the BEGIN is written: when that write fills the connection's pipeline or meets socket
 * backpressure, the chain stops early, the hook never runs, and the pool hands the connection,
 * inside an open transaction, to unrelated queries (porsager/postgres#823 and #1189; the fix is
 * pull request #1218, not released). Under load we saw it as a 500 `UNSAFE_TRANSACTION` on
 * POST /send and, worse, polls reading text that a rolled-back transaction had held. This applies
 * #1218's change to each build of the driver: the hook runs whenever BEGIN was written.
 * test/integration/postgres-driver.test.ts fails without it.
 *
 * Idempotent. Fails the install when it finds neither the old code nor the fix: a new version
 * of the driver; check whether it is fixed there, then update or remove this script.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const MARK = "// pollchat: scripts/patch-postgres.mjs (porsager/postgres#1218)";
const BROKEN = `      return write(toBuffer(q))
        && !q.describeFirst
        && !q.cursorFn
        && sent.length < max_pipeline
        && (!q.options.onexecute || q.options.onexecute(connection))`;
const FIXED = `      const written = write(toBuffer(q))
      ${MARK}
      if (q.options.onexecute)
        return q.options.onexecute(connection)
      return written
        && !q.describeFirst
        && !q.cursorFn
        && sent.length < max_pipeline`;

let patched = 0;
for (const build of ["src", "cjs/src", "cf/src"]) {
  const file = path.join(root, "node_modules/postgres", build, "connection.js");
  if (!existsSync(file)) continue;
  const source = readFileSync(file, "utf8");
  if (source.includes(MARK)) continue;
  if (!source.includes(BROKEN)) {
    console.error(`scripts/patch-postgres.mjs: ${path.relative(root, file)} has neither the code it fixes nor the fix (a new postgres.js?). Check porsager/postgres#1218 and update the script.`);
    process.exit(1);
  }
  writeFileSync(file, source.replace(BROKEN, FIXED));
  patched++;
}
if (patched) console.log(`scripts/patch-postgres.mjs: fixed sql.begin's connection reservation in ${patched} build(s) of postgres.js`);
