/**
 * Where a poll's CPU goes: for each endpoint of bench/poll-cost.ts, wrk drives it while this
 * script reads the CPU time (utime + stime from /proc) of the app server's processes, of every
 * PostgreSQL backend and of wrk itself, and prints CPU milliseconds per request for each.
 * Linux only (reads /proc), PostgreSQL only (the backends are separate processes).
 *
 *   node bench/cpu-split.ts [--seconds 8] [--connections 16] [--only messages,tokens] [--profile DIR]
 */
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { pollEndpoints, signUp, startStack } from "./lib/harness.ts";
import { requireWrk, wrk } from "./lib/wrk.ts";
import { summarizeProfile } from "./lib/profile.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "8" }, connections: { type: "string", default: "16" }, only: { type: "string" }, profile: { type: "string" } },
  strict: true,
});
if (!process.env.DATABASE_URL) {
  console.error("cpu-split needs DATABASE_URL (PostgreSQL): PGlite runs inside the server process.");
  process.exit(2);
}
requireWrk();
const TICK_MS = 1000 / 100; // USER_HZ

function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/** CPU ms of the whole machine, busy (not idle or iowait), from /proc/stat. */
function machineBusy(): number {
  const [, ...f] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
  const n = f.map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  return (total - n[3]! - n[4]!) * TICK_MS;
}

/** CPU ms of all PostgreSQL backends (dead ones are lost: wrk keeps ours alive). */
function postgresCpu(): number {
  let total = 0;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    if (commOf(Number(d)).startsWith("postgres:")) total += cpuOf(Number(d));
  }
  return total;
}

const profileDir = values.profile ? path.resolve(values.profile) : undefined;
if (profileDir) mkdirSync(profileDir, { recursive: true });
const stack = await startStack({ env: profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {} });
try {
  const client = await signUp(stack.app.url);
  const { endpoints, pendingAnswer } = await pollEndpoints(client);
  const headers = { cookie: client.jar.header() };
  const serverPids = descendants(stack.app.child.pid!);
  const appCpu = () => serverPids.reduce((n, p) => n + cpuOf(p), 0);
  for (const p of Object.values(endpoints)) await wrk(stack.app.url + p, { seconds: 2, connections: Number(values.connections), headers });
  console.log("| endpoint | req/s | app CPU ms/req | PostgreSQL CPU ms/req | rest (wrk, kernel) ms/req | app CPU busy | machine busy |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const [name, p] of Object.entries(endpoints)) {
    if (values.only && !values.only.split(",").includes(name)) continue;
    const a0 = appCpu();
    const g0 = postgresCpu();
    const m0 = machineBusy();
    const t0 = performance.now();
    const r = await wrk(stack.app.url + p, { seconds: Number(values.seconds), connections: Number(values.connections), headers });
    const wall = performance.now() - t0;
    const a = appCpu() - a0;
    const g = postgresCpu() - g0;
    const m = machineBusy() - m0;
    const per = (x: number) => (x / r.requests).toFixed(3);
    console.log(`| ${name} | ${r.rps.toFixed(0)} | ${per(a)} | ${per(g)} | ${per(m - a - g)} | ${((100 * a) / wall).toFixed(0)}% | ${((100 * m) / wall).toFixed(0)}% |`);
  }
  await (await client.post(`/chat/message/${pendingAnswer}/cancel`)).arrayBuffer();
} finally {
  await stack.stop();
}
if (profileDir) {
  for (const f of readdirSync(profileDir).filter((f) => f.endsWith(".cpuprofile"))) console.log(`\n### ${f}\n${summarizeProfile(path.join(profileDir, f), 30)}`);
}
