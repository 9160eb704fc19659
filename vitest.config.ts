import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";
import { DATABASE_INDEPENDENT, integrationWorkers, secondDatabase } from "./scripts/test-plan.ts";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  // Server modules import "server-only" (it throws outside React's server condition); tests are
  // server code, so they resolve it the way Next does on the server: to the empty module.
  resolve: { alias: { "@": root, "server-only": `${root}node_modules/server-only/empty.js` } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "db/**/*.test.ts", "test/unit/**/*.test.ts"],
          environment: "node",
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          // CI's second run, on the other database, leaves out what no database can change
          // (scripts/test-plan.mjs says which and why; the summary lists them).
          exclude: [...configDefaults.exclude, ...(secondDatabase() ? DATABASE_INDEPENDENT.map((f) => f.file) : [])],
          environment: "node",
          globalSetup: ["test/support/global-setup.ts"],
          // After every test: the shared server's database keeps its invariants.
          setupFiles: ["test/support/invariants-setup.ts"],
          // Hang guards, not performance checks: generous, so that a busy machine (CI runs
          // three suites at once on two cores) is slow rather than failing.
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // Files run in INTEGRATION_WORKERS workers (default 2), each with a shared server,
          // fake model and database of its own (global-setup starts one per worker).
          maxWorkers: integrationWorkers(),
          // A worker runs its files one after the other in one process (setup files still run
          // per file): a fresh process per file cost 1-3 s each. No file changes process-wide
          // state; each starts and stops what it uses.
          isolate: false,
          // After the unit tests (a group of its own: its own worker count).
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
