/**
 * `npm test`: build the app, then run at the same time the Vitest suites (unit, then
 * integration over real HTTP) and the Playwright specs; with TEST_BOTH_DATABASES=1 (CI) the
 * integration tests also run on the embedded database alongside. Ends with a summary: the time
 * of each step, what was skipped and why, the counts per report, and a last line
 * "Total: N passed, N failed[, N skipped]".
 *
 *   SKIP_BUILD=1              reuse the existing .next build
 *   DATABASE_URL=postgres://… integration and e2e servers each get a fresh database on that
 *                             server (dropped afterwards); unset: PGlite temp dirs
 *   TEST_BOTH_DATABASES=1     with DATABASE_URL: also the integration tests on PGlite, at the
 *                             same time (SECOND_DATABASE=1: scripts/test-plan.ts)
 *   INTEGRATION_WORKERS=n     integration files at once per run (default 2)
 *   E2E_PORT=n                the port of the e2e app server (default 3210)
 *   TEST_SUMMARY=0            no summary at the end (.ci/run prints it after its own timings)
 *   TEST_E2E_ALONE=1          the Vitest runs side by side first, then the end-to-end tests alone
 *
 * Each step's output goes to the console, every line prefixed with the step's tag, and
 * whole to test-results/<tag>.log. JSON results: test-results/{vitest,playwright,vitest-pglite}.json
 * and test-results/test-run.json (steps, timings, skips), read by scripts/test-summary.mjs.
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { printSummary, RUN_FILE } from "./test-summary.mjs";
import { DATABASE_INDEPENDENT, integrationWorkers } from "./test-plan.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = path.join(root, "node_modules", ".bin");
const results = path.join(root, "test-results");
const report = (name) => path.join(results, `${name}.json`);

// node_modules/.bin first: its `node` is the project's Node 24, which the tools' shebangs pick.
const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` };
const databaseUrl = process.env.DATABASE_URL ?? "";
const onPostgres = databaseUrl !== "";
const bothDatabases = process.env.TEST_BOTH_DATABASES === "1";
const ci = Boolean(process.env.CI) && process.env.CI !== "false";

/** Where Playwright will find Chromium (the same rule as e2e/playwright.config.ts), or why not. */
async function chromium() {
  if (process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE) {
    return existsSync(process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE)
      ? { ok: true }
      : { ok: false, why: `PLAYWRIGHT_CHROMIUM_EXECUTABLE=${process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE} does not exist` };
  }
  if (existsSync("/usr/bin/chromium-headless-shell") || existsSync("/usr/bin/chromium")) return { ok: true };
  try {
    const { chromium: browser } = await import("@playwright/test");
    if (existsSync(browser.executablePath())) return { ok: true };
  } catch {
    // no Playwright browser registry: same answer as a missing browser
  }
  return {
    ok: false,
    why: "no Chromium: neither /usr/bin/chromium-headless-shell nor /usr/bin/chromium (Debian: apt-get install -y chromium-headless-shell), PLAYWRIGHT_CHROMIUM_EXECUTABLE, nor Playwright's own (npx playwright install chromium)",
  };
}

const skipped = []; // { what, why }
const steps = [];
const build = process.env.SKIP_BUILD === "1" ? null : { tag: "build", title: "Build the app (next build)", cmd: "next", args: ["build"] };
if (!build) {
  const id = path.join(root, ".next", "BUILD_ID");
  const when = existsSync(id) ? `the build of ${statSync(id).mtime.toISOString()} in .next` : "no build in .next (the servers will not start)";
  skipped.push({ what: "next build", why: `SKIP_BUILD=1: the tests ran ${when}` });
}

const dbName = onPostgres ? "PostgreSQL" : "PGlite";
steps.push({
  tag: onPostgres ? "vitest-pg" : "vitest",
  report: report("vitest"),
  title: `Unit and integration tests on ${dbName} (vitest run, ${integrationWorkers()} integration workers)`,
  cmd: "vitest",
  args: ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report("vitest")}`],
});

const browser = await chromium();
if (browser.ok) {
  steps.push({
    tag: "e2e",
    report: report("playwright"),
    title: `End-to-end tests on ${dbName} (playwright test)`,
    cmd: "playwright",
    args: ["test", "-c", "e2e/playwright.config.ts", "--reporter=list,json"],
    env: { PLAYWRIGHT_JSON_OUTPUT_FILE: report("playwright") },
  });
} else if (ci) {
  console.error(`The end-to-end tests cannot run: ${browser.why}. CI runs every test: failing.`);
  process.exit(1);
} else {
  skipped.push({ what: "the end-to-end tests (e2e/*.spec.ts)", why: browser.why });
}

if (bothDatabases && onPostgres) {
  steps.push({
    tag: "vitest-pglite",
    report: report("vitest-pglite"),
    title: "Integration tests on PGlite (vitest run --project integration, SECOND_DATABASE=1)",
    cmd: "vitest",
    args: ["run", "--project", "integration", "--reporter=default", "--reporter=json", `--outputFile.json=${report("vitest-pglite")}`],
    env: { DATABASE_URL: "", SECOND_DATABASE: "1" },
  });
  for (const f of DATABASE_INDEPENDENT) skipped.push({ what: `${f.file} on PGlite`, why: `ran on PostgreSQL only: ${f.why}` });
} else if (bothDatabases) {
  skipped.push({ what: "the second integration run (TEST_BOTH_DATABASES=1)", why: "DATABASE_URL is unset: the one run was on PGlite" });
}
skipped.push({
  what: "the soak and the benchmarks",
  why: "not tests: `npm run bench` (needs wrk) and `npm run bench:soak`; test/integration/concurrent-polling.test.ts checks the soak's correctness in short",
});

const running = new Set();
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (running.size === 0) process.exit(130);
    for (const child of running) child.kill(signal);
  });
}

/** Runs a step: its output prefixed on the console, whole in test-results/<tag>.log. */
function run(step) {
  return new Promise((resolve) => {
    const log = createWriteStream(path.join(results, `${step.tag}.log`));
    const child = spawn(path.join(bin, step.cmd), step.args, {
      cwd: root,
      env: { ...env, ...step.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    const prefix = `[${step.tag}] `;
    for (const stream of [child.stdout, child.stderr]) {
      let rest = "";
      stream.on("data", (chunk) => {
        log.write(chunk);
        const lines = (rest + chunk.toString("utf8")).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
      });
      stream.on("end", () => {
        if (rest) process.stdout.write(`${prefix}${rest}\n`);
      });
    }
    child.once("error", (err) => {
      console.error(`${prefix}could not run ${step.cmd}: ${err.message}`);
      running.delete(child);
      log.end();
      resolve(127);
    });
    child.once("close", (code, signal) => {
      running.delete(child);
      log.end();
      resolve(code ?? 128 + (signal === "SIGINT" ? 2 : signal === "SIGKILL" ? 9 : 15));
    });
  });
}

/** The machine's CPU time so far, all and idle (Linux /proc/stat; null elsewhere). */
function cpuTimes() {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), idle: fields[3] + (fields[4] ?? 0) };
  } catch {
    return null;
  }
}

/**
 * The share of the machine's CPU that was busy between two readings (whatever ran, steps side
 * by side included): a step near 100% is bound by the cores, one far below waits (for answers
 * to stream, pages to render), which tells what would make it faster.
 */
function busyShare(from, to) {
  if (!from || !to || to.total <= from.total) return null;
  return Math.round((100 * (to.total - from.total - (to.idle - from.idle))) / (to.total - from.total));
}

async function timed(step) {
  const t0 = performance.now();
  const cpu0 = cpuTimes();
  console.log(`\n==> [${step.tag}] ${step.title}`);
  const code = await run(step);
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  const cpuBusy = busyShare(cpu0, cpuTimes());
  console.log(`==> [${step.tag}] ${code === 0 ? "done" : `FAILED (exit code ${code})`} in ${seconds} s${cpuBusy === null ? "" : `, the machine's CPU ${cpuBusy}% busy`}`);
  return { tag: step.tag, title: step.title, seconds, cpuBusy, code, report: step.report };
}

mkdirSync(results, { recursive: true });
for (const f of ["vitest", "playwright", "vitest-pglite"]) rmSync(report(f), { force: true });
const started = performance.now();
const done = [];
let failed = 0;
if (build) {
  const r = await timed(build);
  done.push(r);
  if (r.code !== 0) failed = r.code;
}
if (failed === 0) {
  // TEST_E2E_ALONE=1: the browsers get the machine to themselves (their checks wait on what a
  // person sees, and a 2-core machine running three suites at once slows them past their
  // timeouts); the Vitest runs go side by side first.
  const e2eAlone = process.env.TEST_E2E_ALONE === "1";
  const waves = e2eAlone ? [steps.filter((s) => s.tag !== "e2e"), steps.filter((s) => s.tag === "e2e")] : [steps];
  for (const wave of waves.filter((w) => w.length > 0)) {
    console.log(`\n==> ${wave.length} step(s) at once: ${wave.map((s) => s.tag).join(", ")}`);
    for (const r of await Promise.all(wave.map((s) => timed(s)))) {
      done.push(r);
      if (r.code !== 0 && failed === 0) failed = r.code;
    }
  }
} else {
  for (const s of steps) skipped.push({ what: s.title, why: "the build failed" });
}

const runInfo = {
  database: dbName,
  integrationWorkers: integrationWorkers(),
  seconds: Math.round((performance.now() - started) / 100) / 10,
  steps: done,
  skipped,
  reports: done.filter((r) => r.report).map((r) => path.relative(root, r.report)),
};
writeFileSync(path.join(results, RUN_FILE), `${JSON.stringify(runInfo, null, 2)}\n`);
if (process.env.TEST_SUMMARY === "0") process.exit(failed);
console.log("");
printSummary(runInfo.reports.map((f) => path.join(root, f)), { run: JSON.parse(readFileSync(path.join(results, RUN_FILE), "utf8")) });
process.exit(failed);
