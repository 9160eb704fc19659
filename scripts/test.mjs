/**
 * `npm test`: build the app, run every vitest project (unit + integration), then the
 * Playwright specs. Stops at the first failing step with its exit code.
 *
 *   SKIP_BUILD=1 npm test     reuse the existing .next build
 *   DATABASE_URL=postgres://… the integration and e2e servers each get a fresh database
 *                             on that server (dropped afterwards); unset: PGlite temp dirs
 *
 * JSON results go to test-results/{vitest,playwright}.json; the last line is a total.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { printSummary } from "./test-summary.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = path.join(root, "node_modules", ".bin");
const results = path.join(root, "test-results");
const vitestJson = path.join(results, "vitest.json");
const playwrightJson = path.join(results, "playwright.json");

// node_modules/.bin first: its `node` is the project's Node 24, which the tools' shebangs pick.
const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` };

const steps = [
  ...(process.env.SKIP_BUILD === "1" ? [] : [{ title: "Build the app (next build)", cmd: "next", args: ["build"] }]),
  {
    title: "Unit and integration tests (vitest run)",
    cmd: "vitest",
    args: ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestJson}`],
  },
  {
    title: "End-to-end tests (playwright test)",
    cmd: "playwright",
    args: ["test", "-c", "e2e/playwright.config.ts", "--reporter=list,json"],
    env: { PLAYWRIGHT_JSON_OUTPUT_FILE: playwrightJson },
  },
];

let current;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (current && current.exitCode === null) current.kill(signal);
    else process.exit(130);
  });
}

function run(step) {
  return new Promise((resolve) => {
    current = spawn(path.join(bin, step.cmd), step.args, { cwd: root, env: { ...env, ...step.env }, stdio: "inherit" });
    current.once("error", (err) => {
      console.error(`Could not run ${step.cmd}: ${err.message}`);
      resolve(127);
    });
    current.once("exit", (code, signal) => resolve(code ?? 128 + (signal === "SIGINT" ? 2 : signal === "SIGKILL" ? 9 : 15)));
  });
}

if (process.env.SKIP_BUILD === "1") console.log("SKIP_BUILD=1: using the existing build in .next");
mkdirSync(results, { recursive: true });
rmSync(vitestJson, { force: true });
rmSync(playwrightJson, { force: true });

const timings = [];
let failed = 0;
for (const [i, step] of steps.entries()) {
  const header = `[${i + 1}/${steps.length}] ${step.title}`;
  console.log(`\n${"=".repeat(header.length + 8)}\n==> ${header}\n${"=".repeat(header.length + 8)}\n`);
  const t0 = performance.now();
  const code = await run(step);
  timings.push(`${step.title}: ${((performance.now() - t0) / 1000).toFixed(1)} s${code ? ` (FAILED, exit code ${code})` : ""}`);
  if (code !== 0) {
    failed = code;
    break;
  }
}

console.log(`\n==> Summary\n${timings.map((t) => `  ${t}`).join("\n")}\n`);
const reports = [vitestJson, playwrightJson].filter((f) => existsSync(f));
if (reports.length > 0) printSummary(reports);
process.exit(failed);
