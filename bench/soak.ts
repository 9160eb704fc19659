/**
 * Soak test on loopback (bench/README.md). Needs a build (npm run build).
 *
 *   node bench/soak.ts [--duration 300] [--clients 100] [--generating 50] [--json out.json]
 *                      [--poll-ms 300] [--drain 60] [--seed 1] [--servers 1]
 *
 * DATABASE_URL set: a fresh PostgreSQL database on that server (dropped afterwards); unset:
 * a temp PGlite directory. --servers N (PostgreSQL): N app servers on that database, each
 * client sending through one and polling through the next. Prints a summary (a bench/RESULTS-soak.md entry) and exits 1 on any
 * error or mismatch.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { formatResult } from "./soak/report.ts";
import { runSoak } from "./soak/run.ts";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "300" },
    clients: { type: "string", default: "100" },
    generating: { type: "string", default: "50" },
    "poll-ms": { type: "string", default: "300" },
    drain: { type: "string", default: "60" },
    seed: { type: "string", default: "1" },
    servers: { type: "string", default: "1" },
    json: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});

if (values.help) {
  console.log("usage: node bench/soak.ts [--duration 300] [--clients 100] [--generating 50] [--json out.json] [--poll-ms 300] [--drain 60] [--seed 1] [--servers 1]");
  process.exit(0);
}

function positive(name: keyof typeof values, min = 1): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min) {
    console.error(`soak: --${name} must be an integer >= ${min} (got ${JSON.stringify(values[name])})`);
    process.exit(2);
  }
  return n;
}

const options = {
  durationS: positive("duration"),
  clients: positive("clients"),
  generating: positive("generating"),
  pollMs: positive("poll-ms", 10),
  drainS: positive("drain"),
  seed: positive("seed", 0),
  servers: positive("servers"),
};
if (options.generating > options.clients) {
  console.error("soak: --generating cannot exceed --clients (each client has one answer in flight at most)");
  process.exit(2);
}

const result = await runSoak({ ...options, log: (line) => console.log(`[soak] ${line}`) });
const command = `node bench/soak.ts ${process.argv.slice(2).join(" ")}`.trim();
console.log(`\n${formatResult(result, command)}\n`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
process.exit(result.ok ? 0 : 1);
