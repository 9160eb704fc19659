/**
 * What runs where, shared by vitest.config.ts, scripts/test.mjs and scripts/test-summary.mjs
 * (erasable TypeScript only: plain `node` loads it).
 *
 * CI runs the integration tests twice: on PostgreSQL, then on the embedded database (PGlite).
 * The files below exercise behaviour that no database can change (headers, the OpenAPI
 * document, logs, metrics, traces, the runner's timers and how it asks the model to go on);
 * the second run (SECOND_DATABASE=1) leaves them out. Run
 * alone (`npm test` with or without DATABASE_URL), every file runs.
 */

export const DATABASE_INDEPENDENT: { file: string; why: string }[] = [
  {
    file: "test/integration/security-headers.test.ts",
    why: "response headers (CSP nonce, nosniff, framing, Referrer-Policy) are set by the proxy and next.config, before and apart from any query",
  },
  {
    file: "test/integration/openapi.test.ts",
    why: "the OpenAPI document and the keys of each route's answer come from lib/openapi and the route table, not from the database",
  },
  {
    file: "test/integration/ops-logs.test.ts",
    why: "log lines (pino) and their request, user and LLM ids are written by the app whatever stores its data",
  },
  {
    file: "test/integration/ops-metrics.test.ts",
    why: "the Prometheus counters are process memory; the database is not read to serve them",
  },
  {
    file: "test/integration/continuation.test.ts",
    why: "how the model is asked to go on (an instruction, the repeated end trimmed, the restart when it refuses) is the runner's and the provider's; the claim that carries the text runs on both databases in recovery.test.ts",
  },
  {
    file: "test/integration/ops-time-budget.test.ts",
    why: "the runner's time budget and its hand-overs are timers in the runner; their statements (release, claim, carry) run on both databases in recovery.test.ts and shutdown.test.ts",
  },
  {
    file: "test/integration/ops-traces.test.ts",
    why: "spans go from Next.js and the AI SDK to the OTLP endpoint; no database span is exported",
  },
];

/** Set by CI on its second integration run (the embedded database, after PostgreSQL). */
export const secondDatabase = (): boolean => process.env.SECOND_DATABASE === "1";

/**
 * Integration files run in this many workers at once, each with its own shared app server,
 * fake model server and database (test/support/global-setup.ts). 2 by default: most of an
 * integration test's time is spent waiting for an answer to stream.
 */
export function integrationWorkers(): number {
  const n = Number(process.env.INTEGRATION_WORKERS ?? 2);
  return Number.isInteger(n) && n >= 1 ? n : 2;
}
