/**
 * The closing summary of `npm test` (scripts/test.mjs) and of CI: the time of each step, what
 * was skipped and why, the failures, one plain line per report, and a total last, e.g.
 * "Total: 57 passed, 0 failed, 1 skipped" (the line CI looks for).
 *
 *   node scripts/test-summary.mjs                     the last run (test-results/test-run.json)
 *   node scripts/test-summary.mjs REPORT.json...      these vitest/Playwright JSON reports
 *                                                     (plus test-run.json when it is beside them)
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Written by scripts/test.mjs next to the reports: steps, timings, skipped steps and files. */
export const RUN_FILE = "test-run.json";

function load(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

const isVitest = (data) => data && typeof data.numTotalTests === "number";
const isPlaywright = (data) => data && data.stats && typeof data.stats.expected === "number";

/** {passed, failed, skipped} from a vitest (jest-shaped) or Playwright JSON report. */
export function countsOf(file) {
  const data = load(file);
  if (isVitest(data)) {
    return {
      passed: data.numPassedTests ?? 0,
      failed: data.numFailedTests ?? 0,
      skipped: (data.numPendingTests ?? 0) + (data.numTodoTests ?? 0),
    };
  }
  if (isPlaywright(data)) {
    const errors = Array.isArray(data.errors) ? data.errors.length : 0;
    return {
      passed: data.stats.expected + (data.stats.flaky ?? 0),
      failed: (data.stats.unexpected ?? 0) + errors,
      skipped: data.stats.skipped ?? 0,
    };
  }
  throw new Error(`${file}: not a vitest or Playwright JSON report`);
}

/** The tests of a report, flattened: {file, name, status, note}. */
export function testsOf(file) {
  const data = load(file);
  const out = [];
  if (isVitest(data)) {
    for (const f of data.testResults ?? []) {
      const rel = path.relative(process.cwd(), f.name);
      for (const a of f.assertionResults ?? []) {
        const status = a.status === "passed" || a.status === "failed" ? a.status : "skipped";
        out.push({ file: rel, name: [...(a.ancestorTitles ?? []), a.title].join(" > "), status, note: (a.failureMessages ?? [])[0] ?? "" });
      }
      // A file that failed to load has no tests but an error.
      if ((f.assertionResults ?? []).length === 0 && f.status === "failed") out.push({ file: rel, name: "(the file)", status: "failed", note: f.message ?? "" });
    }
  } else if (isPlaywright(data)) {
    const walk = (suite, titles) => {
      for (const spec of suite.specs ?? []) {
        for (const t of spec.tests ?? []) {
          const last = t.results?.at(-1);
          const status = t.status === "skipped" ? "skipped" : t.status === "unexpected" ? "failed" : "passed";
          const why = (t.annotations ?? []).find((a) => a.type === "skip" || a.type === "fixme")?.description ?? "";
          out.push({ file: `e2e/${spec.file ?? suite.file}`, name: [...titles, spec.title].join(" > "), status, note: status === "failed" ? (last?.error?.message ?? "") : why });
        }
      }
      for (const child of suite.suites ?? []) walk(child, child.title && child.title !== child.file ? [...titles, child.title] : titles);
    };
    for (const s of data.suites ?? []) walk(s, []);
    for (const e of data.errors ?? []) out.push({ file: "", name: "(Playwright)", status: "failed", note: e.message ?? "" });
  }
  return out;
}

export function line(label, c) {
  return `${label}: ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ""}`;
}

const firstLine = (s) => (s ?? "").replace(/\u001b\[[0-9;]*m/g, "").split("\n").find((l) => l.trim()) ?? "";

/**
 * Prints the summary and returns the total. `run` is test-run.json (scripts/test.mjs): its
 * steps and what it skipped; without it only the reports speak.
 */
export function printSummary(files, { run } = {}) {
  const out = [];
  out.push(`==> Summary${run ? ` (${run.seconds} s)` : ""}`);
  if (run?.steps?.length) {
    out.push("Steps:");
    for (const s of run.steps) {
      const cpu = typeof s.cpuBusy === "number" ? `${String(s.cpuBusy).padStart(3)}% CPU  ` : "";
      out.push(`  ${s.tag.padEnd(14)} ${String(s.seconds).padStart(6)} s  ${cpu}${s.code === 0 ? "ok" : `FAILED (exit code ${s.code})`}  ${s.title}`);
    }
  }

  const skips = [...(run?.skipped ?? [])];
  // Files left out on the second database: how many tests they hold (from the first run).
  const first = files.find((f) => path.basename(f) === "vitest.json" && existsSync(f));
  const perFile = new Map();
  if (first) for (const t of testsOf(first)) perFile.set(t.file, (perFile.get(t.file) ?? 0) + 1);
  const failures = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const label = path.basename(file, ".json");
    for (const t of testsOf(file)) {
      if (t.status === "skipped") skips.push({ what: `${label}: ${t.file} > ${t.name}`, why: t.note || "skipped in the test (its title says why)" });
      if (t.status === "failed") failures.push(`${label}: ${t.file} > ${t.name}${t.note ? `\n      ${firstLine(t.note).slice(0, 300)}` : ""}`);
    }
  }
  out.push(skips.length ? "Skipped, and why:" : "Skipped: nothing");
  for (const s of skips) {
    const file = /^(test\/\S+\.test\.ts) on /.exec(s.what)?.[1];
    const n = file ? perFile.get(file) : undefined;
    out.push(`  - ${s.what}${n ? ` (${n} tests)` : ""}: ${s.why}`);
  }
  if (failures.length) {
    out.push("Failed:");
    for (const f of failures) out.push(`  - ${f}`);
  }

  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const file of files) {
    const label = path.basename(file, ".json");
    if (!existsSync(file)) {
      out.push(`${label}: no results (${file} is missing: counted as 1 failed)`);
      total.failed += 1;
      continue;
    }
    const c = countsOf(file);
    out.push(line(label, c));
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  }
  out.push(line("Total", total));
  console.log(out.join("\n"));
  return total;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let files = process.argv.slice(2);
  const runFile = path.join(files.length ? path.dirname(path.resolve(files[0])) : path.resolve("test-results"), RUN_FILE);
  const run = existsSync(runFile) ? load(runFile) : undefined;
  if (files.length === 0) {
    if (!run) {
      console.error(`usage: node scripts/test-summary.mjs REPORT.json... (or run npm test first: no ${runFile})`);
      process.exit(2);
    }
    files = run.reports.map((f) => path.resolve(f));
  }
  const total = printSummary(files, { run });
  process.exit(total.failed > 0 ? 1 : 0);
}
