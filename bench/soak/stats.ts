/**
 * What the soak measures: latency per endpoint, every error and mismatch (with the first few
 * kept whole for the report), the answers' outcomes, and the server's memory over time.
 */
import { readdirSync, readFileSync } from "node:fs";

export type Endpoint = "send" | "messages" | "tokens" | "verify";
export const ENDPOINTS: Endpoint[] = ["send", "messages", "tokens", "verify"];

export interface Problem {
  kind: "http" | "network" | "mismatch" | "protocol" | "unfinished";
  endpoint?: Endpoint;
  status?: number;
  detail: string;
  atMs: number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const KEEP_PROBLEMS = 50;

export class Stats {
  readonly startedAt = performance.now();
  private readonly latencies = new Map<Endpoint, number[]>(ENDPOINTS.map((e) => [e, []]));
  readonly problems: Problem[] = [];
  errors = 0;
  mismatches = 0;
  answersSent = 0;
  answersVerified = 0;
  /** Answers whose client saw `append:false` at least once (a restarted generation). */
  answersReplaced = 0;
  charsReceived = 0;

  latency(endpoint: Endpoint, ms: number): void {
    this.latencies.get(endpoint)!.push(ms);
  }

  problem(p: Omit<Problem, "atMs">): void {
    if (p.kind === "mismatch" || p.kind === "protocol") this.mismatches++;
    else this.errors++;
    if (this.problems.length < KEEP_PROBLEMS) this.problems.push({ ...p, atMs: Math.round(performance.now() - this.startedAt) });
  }

  requests(): number {
    let n = 0;
    for (const l of this.latencies.values()) n += l.length;
    return n;
  }

  summary(): Record<Endpoint, LatencySummary> {
    const out = {} as Record<Endpoint, LatencySummary>;
    for (const [endpoint, values] of this.latencies) out[endpoint] = summarize(values);
    return out;
  }
}

export function summarize(values: number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : 0);
  const round = (x: number) => Math.round(x * 10) / 10;
  return { count: sorted.length, p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(at(1)) };
}

// ------------------------------------------------------------------ memory

/** The process and all its descendants (Next may serve from a child of `next start`). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [root];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 is the parent pid; the command name (field 2) may contain spaces and parens.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // exited meanwhile
    }
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Resident memory of one process in KiB (VmRSS), or 0 when it is gone or not on Linux. */
export function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export interface MemorySample {
  atMs: number;
  /** The app server: `next start` and its descendants, in MiB. */
  serverMb: number;
  serverPids: number;
  /** This process (the load generator), in MiB. */
  loadMb: number;
}

export function sampleMemory(serverPid: number, startedAt: number): MemorySample {
  const pids = processTree(serverPid);
  const kb = pids.reduce((n, pid) => n + rssKb(pid), 0);
  return {
    atMs: Math.round(performance.now() - startedAt),
    serverMb: Math.round(kb / 102.4) / 10,
    serverPids: pids.length,
    loadMb: Math.round(process.memoryUsage.rss() / 104857.6) / 10,
  };
}
