/**
 * The soak test (bench/soak.ts) in its CI form: 30 s instead of 5 minutes, on its own app
 * server and fresh database (not the shared one), so that what it measures is its own load.
 * It fails on any non-2xx answer, network error, or answer whose polled text differs from the
 * stored one or from what the model sent. Latency is recorded (test-results/soak-*.json), not
 * asserted: a slow CI machine must not fail it, a wrong byte must.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { projectRoot } from "../support/app-server.ts";
import { formatResult } from "../../bench/soak/report.ts";
import { runSoak } from "../../bench/soak/run.ts";

const CLIENTS = 30;
const GENERATING = 15;
const DURATION_S = 30;

it(`holds ${CLIENTS} clients polling at 300 ms with ${GENERATING} answers generating for ${DURATION_S} s: no error, no lost or doubled token`, async () => {
  const result = await runSoak({
    durationS: DURATION_S,
    clients: CLIENTS,
    generating: GENERATING,
    drainS: 40,
    // Shorter answers than the full run so that the drain after 30 s stays short.
    shape: { minChars: 200, maxChars: 2000, minMs: 1000, maxMs: 6000 },
  });
  const dir = path.join(projectRoot, "test-results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `soak-${result.database.toLowerCase()}.json`), `${JSON.stringify(result, null, 2)}\n`);
  console.log(formatResult(result, "vitest run test/integration/soak.test.ts"));

  expect(result.problems).toEqual([]);
  expect(result.errors).toBe(0);
  expect(result.mismatches).toBe(0);
  // It really generated, and every answer sent was followed to its end and checked.
  expect(result.answers.sent).toBeGreaterThan(GENERATING);
  expect(result.answers.verified).toBe(result.answers.sent);
  expect(result.latencyMs.messages.count).toBeGreaterThan(CLIENTS * 10);
}, 150_000);
