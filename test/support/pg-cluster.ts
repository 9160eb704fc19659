/**
 * A throwaway PostgreSQL cluster of the test's own (Debian's postgresql-common tools), for
 * tests that stop and start the database server. The shared cluster on 5432 is never touched:
 * other test files use it at the same time.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { freePort } from "./app-server.ts";

const TOOLS = ["pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "pg_lsclusters"].map((t) => `/usr/bin/${t}`);
const PREFIX = "pollchat_outage_";

/** Why a throwaway cluster cannot be made here, or undefined when it can. */
export function throwawayClusterUnavailable(): string | undefined {
  if (!process.env.DATABASE_URL) return "DATABASE_URL is unset (the PGlite run)";
  const missing = TOOLS.find((t) => !existsSync(t));
  if (missing) return `${missing} is missing (Debian's postgresql-common)`;
  if (process.getuid?.() !== 0) return "creating a PostgreSQL cluster needs root";
  if (!serverVersion()) return "no PostgreSQL server under /usr/lib/postgresql";
  return undefined;
}

/** The newest PostgreSQL server installed (e.g. "15"). */
function serverVersion(): string | undefined {
  if (!existsSync("/usr/lib/postgresql")) return undefined;
  return readdirSync("/usr/lib/postgresql")
    .filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/postgres`))
    .sort((a, b) => Number(b) - Number(a))[0];
}

function run(tool: string, args: string[]): string {
  // No systemd here (and in a container none either): pg_ctlcluster must not redirect to it.
  return execFileSync(`/usr/bin/${tool}`, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
}

function ctl(version: string, name: string, action: "start" | "stop"): void {
  run("pg_ctlcluster", ["--skip-systemctl-redirect", version, name, action]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Clusters left by a test run that was killed before its afterAll (their pid is gone). */
function dropLeftovers(): void {
  for (const line of run("pg_lsclusters", ["-h"]).split("\n")) {
    const [version, name] = line.trim().split(/\s+/);
    const pid = Number(name?.startsWith(PREFIX) ? name.slice(PREFIX.length) : NaN);
    if (version && name && Number.isInteger(pid) && !alive(pid)) {
      try {
        run("pg_dropcluster", ["--stop", version, name]);
      } catch {
        // someone else dropped it
      }
    }
  }
}

export interface ThrowawayCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication). */
  url: string;
  name: string;
  stop(): void;
  start(): void;
  /** Stops and removes the cluster, data and configuration; safe to call twice. */
  drop(): void;
}

/**
 * Creates and starts a cluster named pollchat_outage_<pid> on a free port. `settings` go into
 * its postgresql.conf (benchmarks preload pg_stat_statements).
 */
export async function createThrowawayCluster(settings: Record<string, string> = {}): Promise<ThrowawayCluster> {
  const version = serverVersion();
  if (!version) throw new Error("no PostgreSQL server installed");
  dropLeftovers();
  const name = `${PREFIX}${process.pid}`;
  const port = await freePort();
  const options = Object.entries(settings).flatMap(([k, v]) => ["-o", `${k}=${v}`]);
  run("pg_createcluster", [version, name, "-p", String(port), "--start-conf=manual", ...options, "--", "--auth-local=trust", "--auth-host=trust"]);
  let dropped = false;
  const cluster: ThrowawayCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    name,
    stop: () => ctl(version, name, "stop"),
    start: () => ctl(version, name, "start"),
    drop() {
      if (dropped) return;
      dropped = true;
      run("pg_dropcluster", ["--stop", version, name]);
    },
  };
  try {
    cluster.start();
  } catch (err) {
    cluster.drop();
    throw err;
  }
  return cluster;
}
