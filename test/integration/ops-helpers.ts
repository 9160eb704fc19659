/**
 * Helpers of the operations tests (ops-*.test.ts): a server of the test's own (its logs are
 * read, its environment differs from the shared one), the JSON lines it logged, and a parse
 * of the Prometheus text format.
 */
import { createTestDatabase, removeDataDir, startAppServer, testAppEnv, type AppServer, type TestDatabase } from "../support/app-server.ts";
import { expectInvariants } from "../support/invariants.ts";
import { sharedFakeOpenAIUrl } from "../support/context.ts";

export interface OwnServer {
  server: AppServer;
  env: Record<string, string>;
  db: TestDatabase;
  /** Checks the server's invariants (when it started), then stops it and drops its database. */
  close(): Promise<void>;
}

/** `next start` on a fresh database with the test environment plus `extraEnv`. */
export async function ownServer(extraEnv: Record<string, string> = {}): Promise<OwnServer> {
  const db = await createTestDatabase();
  const env = { ...testAppEnv(db, sharedFakeOpenAIUrl()), ...extraEnv };
  let server: AppServer;
  try {
    server = await startAppServer({ env });
  } catch (err) {
    await db.drop();
    removeDataDir(env);
    throw err;
  }
  return {
    server,
    env,
    db,
    async close() {
      try {
        await expectInvariants(server.url);
      } finally {
        await server.stop();
        await db.drop();
        removeDataDir(env);
      }
    },
  };
}

export type LogLine = Record<string, unknown> & { level: string; msg: string; time: string };

/**
 * The JSON lines of a server's output. Next.js prints a few plain lines of its own at start
 * ("▲ Next.js 16…", "- Local: …", "✓ Ready…"); everything else must be JSON.
 */
export function logLines(output: string): { json: LogLine[]; other: string[] } {
  const json: LogLine[] = [];
  const other: string[] = [];
  for (const line of output.split("\n")) {
    if (!line.trim()) continue;
    if (line.startsWith("{")) json.push(JSON.parse(line) as LogLine);
    else other.push(line);
  }
  return { json, other };
}

/**
 * Next's own start-up lines and warnings, the only plain text a server may print (the test
 * harness runs `next start` on a standalone build, which Next warns about).
 */
export const NEXT_BANNER = /^(\s*▲ Next\.js|\s*- (Local|Network|Environments|Experiments):|\s*✓ (Ready|Starting|Running)|\s*⚠ |\s*$)/;

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Samples of a Prometheus text exposition (no escapes inside label values needed here). */
export function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (!line) continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`Not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: m[1]!, labels, value: m[3] === "+Inf" ? Infinity : Number(m[3]) });
  }
  return { samples, types };
}

/** The sum of the samples named `name` whose labels include `labels`. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
