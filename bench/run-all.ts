/**
 * `npm run bench`: a short run of every benchmark, one after the other (each starts its own
 * server on a fresh database). Needs a build (npm run build) and wrk.
 *
 *   node bench/run-all.ts [--long] [--out bench/results-run.md] [--only poll-cost,writes,...]
 *
 * Short (default, ~10 minutes): poll-cost 5 rounds of 4 s; writes 10 s per rate; idle-sql 200
 * polls a kind 5 ms apart; resume 10 kills; latency 20 answers; capacity 4 steps of 10 s; memory
 * 1 minute; the soak 30 s. --long: the figures the goals name (resume 20 kills, memory 10 minutes
 * at 100 generations a minute, capacity up to 300 clients of 30 s, latency 100 answers, the soak
 * 5 minutes; idle-sql 50 ms apart, ~8 s a kind: long enough for the statements that run every
 * few seconds whatever the polls find).
 * writes.ts and resume.ts need DATABASE_URL (writes.ts also PostgreSQL tools and root for its
 * throwaway cluster; resume.ts two servers on one database) and are skipped without it;
 * idle-sql.ts needs the throwaway cluster and is skipped, with the reason, where it cannot be made.
 * Prints what each printed; --out also writes it to a file.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { throwawayClusterUnavailable } from "../test/support/pg-cluster.ts";

const { values } = parseArgs({
  options: { long: { type: "boolean", default: false }, out: { type: "string" }, only: { type: "string" } },
  strict: true,
});
const here = path.dirname(fileURLToPath(import.meta.url));
const long = values.long;

const benches: { name: string; script?: string; args: string[]; needsPostgres?: boolean; needsCluster?: boolean }[] = [
  { name: "poll-cost", args: long ? ["--seconds", "5", "--rounds", "11"] : ["--seconds", "4", "--rounds", "5"] },
  { name: "writes", args: long ? ["--seconds", "20"] : ["--seconds", "10"], needsPostgres: true },
  { name: "idle-sql", args: long ? ["--polls", "150", "--spacing-ms", "50"] : ["--polls", "200"], needsCluster: true },
  { name: "resume", args: long ? ["--kills", "20"] : ["--kills", "10"], needsPostgres: true },
  { name: "latency", args: long ? ["--answers", "100", "--concurrency", "10"] : ["--answers", "20", "--concurrency", "5"] },
  {
    name: "capacity",
    args: [...(long ? ["--steps", "100,250,500,750,1000", "--seconds", "30"] : ["--steps", "100,500,1000", "--seconds", "10"]), "--png", path.join(here, "capacity.png")],
  },
  { name: "memory", args: long ? ["--minutes", "10", "--per-minute", "100"] : ["--minutes", "1", "--per-minute", "100"] },
  { name: "soak", args: long ? ["--duration", "300"] : ["--duration", "30"] },
  // Issue #19 goal 4: the same soak on two servers, every answer generated on one and read through the other.
  { name: "soak-2-servers", script: "soak", args: [...(long ? ["--duration", "300"] : ["--duration", "30"]), "--servers", "2"], needsPostgres: true },
];
const only = values.only?.split(",");

function run(file: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const take = (c: Buffer, to: NodeJS.WriteStream) => {
      out += c.toString();
      to.write(c);
    };
    child.stdout.on("data", (c: Buffer) => take(c, process.stdout));
    child.stderr.on("data", (c: Buffer) => take(c, process.stderr));
    child.once("exit", (code) => resolve({ code: code ?? 1, out }));
  });
}

const report: string[] = [
  `# Perf benchmarks, ${new Date().toISOString()}`,
  "",
  `Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB, ${os.type()} ${os.release()}, Node ${process.version}; load average at start ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}.`,
  `Database: ${process.env.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : "PGlite"}. Mode: ${long ? "long" : "short"}.`,
  "",
];
let failures = 0;
for (const b of benches) {
  if (only && !only.includes(b.name)) continue;
  const noCluster = b.needsCluster ? throwawayClusterUnavailable() : undefined;
  if (noCluster) {
    report.push(`## ${b.name}\n\nskipped: needs a throwaway PostgreSQL cluster with pg_stat_statements, and ${noCluster}.\n`);
    continue;
  }
  if (b.needsPostgres && !process.env.DATABASE_URL) {
    report.push(`## ${b.name}\n\nskipped: needs DATABASE_URL (a PostgreSQL server: ${b.name === "writes" ? "for its WAL" : "several servers share one database"}).\n`);
    continue;
  }
  const command = `node bench/${b.script ?? b.name}.ts ${b.args.join(" ")}`;
  console.log(`\n=== ${command}`);
  const { code, out } = await run(path.join(here, `${b.script ?? b.name}.ts`), b.args);
  if (code !== 0) failures++;
  // From the first Markdown heading on (the soak's summary starts at a third-level one).
  const heading = /\n#{2,3} /.exec(out);
  const summary = heading ? out.slice(heading.index).trim() : "";
  report.push(`<!-- ${b.name} -->`, `\`${command}\`${code === 0 ? "" : ` (exit ${code})`}`, "", summary || out.trim().split("\n").slice(-20).join("\n"), "");
}
const text = report.join("\n");
if (values.out) writeFileSync(values.out, text + "\n");
console.log(`\n${text}`);
process.exit(failures ? 1 : 0);
