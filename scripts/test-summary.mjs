/**
 * Reads the JSON results of vitest and Playwright and prints one plain line per file plus a
 * total, e.g. "Total: 57 passed, 0 failed, 1 skipped" (the line CI looks for).
 *
 *   node scripts/test-summary.mjs test-results/vitest.json test-results/playwright.json ...
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** {passed, failed, skipped} from a vitest (jest-shaped) or Playwright JSON report. */
export function countsOf(file) {
  const data = JSON.parse(readFileSync(file, "utf8"));
  if (data && typeof data.numTotalTests === "number") {
    return {
      passed: data.numPassedTests ?? 0,
      failed: data.numFailedTests ?? 0,
      skipped: (data.numPendingTests ?? 0) + (data.numTodoTests ?? 0),
    };
  }
  if (data && data.stats && typeof data.stats.expected === "number") {
    const errors = Array.isArray(data.errors) ? data.errors.length : 0;
    return {
      passed: data.stats.expected + (data.stats.flaky ?? 0),
      failed: (data.stats.unexpected ?? 0) + errors,
      skipped: data.stats.skipped ?? 0,
    };
  }
  throw new Error(`${file}: not a vitest or Playwright JSON report`);
}

export function line(label, c) {
  return `${label}: ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ""}`;
}

/** Prints a line per report (label: file name) and the total; missing files are reported. */
export function printSummary(files) {
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const file of files) {
    const label = path.basename(file, ".json");
    if (!existsSync(file)) {
      console.log(`${label}: no results (${file} is missing)`);
      continue;
    }
    const c = countsOf(file);
    console.log(line(label, c));
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  }
  console.log(line("Total", total));
  return total;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: node scripts/test-summary.mjs REPORT.json...");
    process.exit(2);
  }
  printSummary(files);
}
