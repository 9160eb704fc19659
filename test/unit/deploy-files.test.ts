/**
 * The container files, checked without a Docker engine: the Dockerfile parsed (dockerfile-ast)
 * and compose.yaml parsed (yaml), asserting what a self-host relies on.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DockerfileParser, type Copy, type Instruction } from "dockerfile-ast";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";

const root = fileURLToPath(new URL("../..", import.meta.url));
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

interface Stage {
  name: string | null;
  image: string;
  instructions: Instruction[];
}

function stages(text: string): Stage[] {
  const file = DockerfileParser.parse(text);
  const args = new Map(file.getInitialARGs().map((a) => [a.getProperty()?.getName() ?? "", a.getProperty()?.getValue() ?? ""]));
  const out: Stage[] = [];
  for (const ins of file.getInstructions()) {
    if (ins.getKeyword() === "FROM") {
      const from = file.getFROMs().find((f) => f.getRange().start.line === ins.getRange().start.line)!;
      const image = (from.getImage() ?? "").replace(/^\$\{?(\w+)\}?$/, (_, name: string) => args.get(name) ?? "");
      out.push({ name: from.getBuildStage(), image, instructions: [] });
    } else {
      out.at(-1)?.instructions.push(ins);
    }
  }
  return out;
}

const keyword = (stage: Stage, kw: string) => stage.instructions.filter((i) => i.getKeyword() === kw);
const words = (ins: Instruction) => ins.getArguments().map((a) => a.getValue());

describe("Dockerfile", () => {
  const all = stages(read("Dockerfile"));
  const final = all.at(-1)!;

  it("is multi-stage on Node 24: npm ci, then npm run build (so postbuild completes the standalone folder)", () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const s of all) expect(s.image).toMatch(/^node:24(\.\d+)*-(bookworm-slim|slim|alpine)/);
    const runs = all.flatMap((s) => keyword(s, "RUN")).map((r) => r.getArgumentsContent() ?? "");
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
    const pkg = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    expect(pkg.scripts.postbuild).toMatch(/scripts\/postbuild\.mjs/);
  });

  it("has the postinstall's script in place before every npm ci (it patches the PostgreSQL driver)", () => {
    const pkg = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    const script = /node (\S+)/.exec(pkg.scripts.postinstall ?? "")?.[1];
    expect(script).toBe("scripts/patch-postgres.mjs");
    for (const stage of all) {
      const instructions = stage.instructions;
      const ci = instructions.findIndex((i) => i.getKeyword() === "RUN" && /\bnpm ci\b/.test(i.getArgumentsContent() ?? ""));
      if (ci < 0) continue;
      const copied = instructions
        .slice(0, ci)
        .filter((i) => i.getKeyword() === "COPY")
        .flatMap((i) => words(i).slice(0, -1));
      expect(copied.some((src) => src === "." || src === script || src === "scripts" || src === "scripts/"), `stage ${stage.name}: ${script} copied before npm ci`).toBe(true);
    }
  });

  it("copies only the standalone output (with static, public and migrations) into the final stage", () => {
    const builders = new Set(all.slice(0, -1).map((s) => s.name));
    const copies = [...keyword(final, "COPY"), ...keyword(final, "ADD")];
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      expect(copy.getKeyword()).toBe("COPY");
      const from = (copy as Copy).getFlags().find((f) => f.getName() === "from")?.getValue();
      expect(Boolean(from && builders.has(from)), `${copy.getArgumentsContent()} must copy from a build stage`).toBe(true);
      const sources = words(copy).filter((a) => !a.startsWith("--")).slice(0, -1);
      expect(sources.length).toBeGreaterThan(0);
      for (const src of sources) {
        expect(src).toMatch(/^\/app\/(\.next\/standalone|\.next\/static|public|db\/migrations)\/?$/);
      }
    }
    expect(keyword(final, "RUN").map((r) => r.getArgumentsContent() ?? "").join("\n")).not.toMatch(/npm (ci|install)/);
  });

  it("runs as a non-root user with a HEALTHCHECK on /api/health, port 3000, node server.js", () => {
    const users = keyword(final, "USER");
    expect(users.length).toBeGreaterThan(0);
    const user = (users.at(-1)!.getArgumentsContent() ?? "").split(":")[0]!;
    expect(user).not.toMatch(/^(root|0)$/);
    const lines = final.instructions.map((i) => i.getKeyword());
    expect(lines.lastIndexOf("USER")).toBeLessThan(lines.lastIndexOf("CMD"));

    const health = keyword(final, "HEALTHCHECK");
    expect(health).toHaveLength(1);
    const check = health[0]!.getArgumentsContent() ?? "";
    expect(check).toMatch(/\bCMD\b/);
    expect(check).toContain("/api/health");
    expect(check).toMatch(/node.*fetch\(/);

    expect(keyword(final, "EXPOSE").map((e) => e.getArgumentsContent())).toContain("3000");
    expect(keyword(final, "CMD").at(-1)!.getArgumentsContent()).toMatch(/"node",\s*"server\.js"/);
    const env = keyword(final, "ENV").map((e) => e.getArgumentsContent() ?? "").join(" ");
    expect(env).toMatch(/HOSTNAME=0\.0\.0\.0/);
    expect(env).toMatch(/NODE_ENV=production/);
  });

  it("has a .dockerignore that keeps dependencies, builds, data and secrets out of the context", () => {
    const ignored = read(".dockerignore").split("\n").map((l) => l.trim());
    for (const entry of ["node_modules", ".next", ".data", ".env", ".git"]) expect(ignored).toContain(entry);
  });
});

describe("compose.yaml", () => {
  const text = read("compose.yaml");
  const compose = parseYaml(text) as {
    services: Record<string, Record<string, unknown>>;
    volumes?: Record<string, unknown>;
  };

  it("runs the app on PostgreSQL 17 with a persistent volume and a health check", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["app", "db"]);
    const db = compose.services.db!;
    expect(db.image).toBe("postgres:17");
    const volumes = db.volumes as string[];
    const named = volumes.map((v) => /^([\w-]+):\/var\/lib\/postgresql\/data$/.exec(v)?.[1]).find(Boolean);
    expect(named).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(named);
    const health = db.healthcheck as { test: string[] | string };
    expect([health.test].flat().join(" ")).toMatch(/pg_isready/);
  });

  it("starts the app only once the database is healthy, and requires AUTH_SECRET", () => {
    const app = compose.services.app!;
    expect(app.build).toBe(".");
    expect(app.depends_on).toEqual({ db: { condition: "service_healthy" } });
    const env = app.environment as Record<string, string>;
    expect(env.AUTH_SECRET).toMatch(/^\$\{AUTH_SECRET:\?[^}]+\}$/);
    expect(new URL(env.DATABASE_URL!.replace(/\$\{[^}]+\}/g, "x")).hostname).toBe("db");
    expect((app.ports as string[]).some((p) => /:3000$/.test(p))).toBe(true);
  });

  it("uses only valid interpolations (a literal $ would be written $$)", () => {
    const values = text.split("\n").filter((l) => !l.trimStart().startsWith("#"));
    for (const line of values) expect(line, line).not.toMatch(/\$(?![{$A-Za-z_])/);
  });
});

describe("stopping", () => {
  // The server exits within SHUTDOWN_GRACE_MS + 2 s of SIGTERM (lib/shutdown.ts): every
  // supervisor waits longer than that before its SIGKILL, by a few seconds.
  const minimumSeconds = parseEnv({}).SHUTDOWN_GRACE_MS / 1000 + 5;
  const readme = read("README.md");

  it("the container's app is given the time to stop, and handles the signal itself", () => {
    const final = stages(read("Dockerfile")).at(-1)!;
    expect(keyword(final, "STOPSIGNAL").map((i) => i.getArgumentsContent())).toEqual(["SIGTERM"]);
    const env = keyword(final, "ENV").map((e) => e.getArgumentsContent() ?? "").join(" ");
    expect(env).toMatch(/NEXT_MANUAL_SIG_HANDLE=true/);
    const app = (parseYaml(read("compose.yaml")) as { services: Record<string, { stop_grace_period?: string }> }).services.app!;
    expect(app.stop_grace_period).toMatch(/^\d+s$/);
    expect(Number.parseInt(app.stop_grace_period!, 10)).toBeGreaterThanOrEqual(minimumSeconds);
  });

  it("npm start tells Next's server.js to leave the signals to the app", () => {
    expect(read("scripts/start.mjs")).toMatch(/NEXT_MANUAL_SIG_HANDLE \|\|= "true"/);
  });

  it("every stop timeout the README gives is long enough", () => {
    const given = [
      ...readme.matchAll(/docker stop -t (\d+)/g),
      ...readme.matchAll(/--stop-timeout (\d+)/g),
      ...readme.matchAll(/stop_grace_period: (\d+)s/g),
      ...readme.matchAll(/terminationGracePeriodSeconds: (\d+)/g),
      ...readme.matchAll(/TimeoutStopSec=(\d+)/g),
    ].map((m) => [m[0], Number(m[1])] as const);
    const pm2 = [...readme.matchAll(/kill_timeout: (\d+)/g)].map((m) => [m[0], Number(m[1]) / 1000] as const);
    const all = [...given, ...pm2];
    // Each supervisor is named at least once.
    for (const setting of ["docker stop -t", "--stop-timeout", "stop_grace_period", "terminationGracePeriodSeconds", "TimeoutStopSec", "kill_timeout"]) {
      expect(all.some(([text]) => text.startsWith(setting)), setting).toBe(true);
    }
    for (const [text, seconds] of all) expect(seconds, text).toBeGreaterThanOrEqual(minimumSeconds);
  });
});

describe("readiness in the README", () => {
  // GET /api/ready answers the journal's entry count (db/queries/ready.ts): the README's example
  // of a new install must say the same, or it goes stale with the next migration (#18, item 13).
  it("shows the migration count a new install answers", () => {
    const journal = JSON.parse(read("db/migrations/meta/_journal.json")) as { entries: unknown[] };
    const shown = [...read("README.md").matchAll(/"migrations":\s*(\d+)/g)].map((m) => Number(m[1]));
    expect(shown.length).toBeGreaterThan(0);
    for (const n of shown) expect(n).toBe(journal.entries.length);
  });
});
