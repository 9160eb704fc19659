/**
 * End-to-end tests in a real Chromium against the BUILT app (run `npm run build` first;
 * `npm test` does). e2e/serve.mjs starts the app with a fresh database and the fake OpenAI
 * server, and drops the database afterwards.
 */
import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3210);
const baseURL = `http://127.0.0.1:${port}`;

// Debian's Chromium when there is one (no browser download needed), else Playwright's own.
// Its headless shell first (Debian's chromium-headless-shell, which .ci/run installs): the
// browser Playwright itself runs headless tests in, without the full browser's compositor
// and UI processes. The accessibility specs took 112 s in it against 170 s in the full
// browser (2 workers, same machine, same run).
const executablePath =
  process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE ||
  ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"].find((file) => existsSync(file));

export default defineConfig({
  testDir: ".",
  testMatch: "**/*.spec.ts",
  outputDir: "../test-results/e2e",
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  // E2E_WORKERS browsers at once. Default: 2 on CI (.ci/run, with the machine to themselves),
  // else Playwright's. Three kept 2 cores 99% busy and took no less time, with two flaky tests.
  workers: process.env.E2E_WORKERS ? Number(process.env.E2E_WORKERS) : process.env.CI ? 2 : undefined,
  reporter: "list",
  // A hang guard: 30 s was too short for the longer tests on a 2-core machine at a load of 20.
  timeout: 60_000,
  // Conditions are waited on, not times; this only caps the wait (a busy machine renders slowly).
  expect: { timeout: 15_000 },
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
          ],
        },
      },
    },
  ],
  webServer: {
    // The Node running Playwright (24, from node_modules), whatever `node` is first on PATH.
    command: `"${process.execPath}" e2e/serve.mjs`,
    cwd: "..",
    url: `${baseURL}/api/health`,
    env: { E2E_PORT: String(port) },
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    // serve.mjs drops the test database on SIGTERM; a SIGKILL would leave it behind.
    gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
  },
});
