/**
 * The configuration has one reader (lib/env.ts), and what it reads is written down: every
 * variable it knows is in .env.example and in the README's Configuration table, and nothing
 * else in the app reads process.env behind its back.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { configurationVariables, EnvError, logSettings, parseEnv } from "@/lib/env";
import { resourceAttributes } from "@/lib/tracing";

const root = fileURLToPath(new URL("../..", import.meta.url));
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

/** The variable of each `NAME=value` or `# NAME=value` line. */
function exampleVariables(): string[] {
  return [...read(".env.example").matchAll(/^(?:# )?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
}

/** The variables named in the first column of the README's Configuration table. */
function readmeVariables(): string[] {
  const readme = read("README.md");
  const start = readme.indexOf("\n## Configuration\n");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end);
  const firstCells = section.split("\n").filter((l) => l.startsWith("| `")).map((l) => l.split("|")[1]!);
  return firstCells.flatMap((cell) => [...cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!));
}

describe("the configuration's documentation", () => {
  it(".env.example lists every variable lib/env.ts knows, each once, and no other", () => {
    const listed = exampleVariables();
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...configurationVariables()].sort());
  });

  it("every variable in .env.example has a comment right above it or above its group", () => {
    const lines = read(".env.example").split("\n");
    lines.forEach((line, i) => {
      if (!/^(?:# )?[A-Z][A-Z0-9_]*=/.test(line)) return;
      // Walk up over the variable lines of its group to the prose above them.
      let j = i - 1;
      while (j >= 0 && /^(?:# )?[A-Z][A-Z0-9_]*=/.test(lines[j]!)) j--;
      expect(lines[j], `the comment above ${line}`).toMatch(/^# \S/);
    });
  });

  it("the README's Configuration table has a row for each of them", () => {
    const rows = new Set(readmeVariables());
    const missing = configurationVariables().filter((v) => !rows.has(v));
    expect(missing).toEqual([]);
  });
});

/** Files of the app that run in its server or browser, not tests or harnesses. */
function appFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.(ts|tsx|mjs)$/.test(d.name) && !/\.test\.ts$/.test(d.name))
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)));
}

describe("one reader", () => {
  it("nothing in the app reads process.env but lib/env.ts and the few places that must run before it", () => {
    // Each exception says why in a comment next to the read.
    const allowed: Record<string, string[]> = {
      "lib/env.ts": ["process.env);", "process.env));"],
      "instrumentation.ts": ["process.env.NEXT_RUNTIME"],
      "proxy.ts": ["process.env.NODE_ENV"],
      "lib/auth/secret.ts": ["process.env.AUTH_SECRET = secret"],
      "lib/dev-warmup.ts": ["process.env.PORT"],
    };
    const files = [...["app", "lib", "db", "pages", "components", "client"].flatMap(appFiles), "instrumentation.ts", "proxy.ts", "next.config.mjs"];
    const found: string[] = [];
    for (const file of files) {
      const text = read(file);
      for (const m of text.matchAll(/process\.env[^\n]{0,40}/g)) {
        if (!(allowed[file] ?? []).some((a) => m[0].startsWith(a))) found.push(`${file}: ${m[0]}`);
      }
    }
    expect(found).toEqual([]);
  });
});

describe("parseEnv", () => {
  it("keeps the defaults of the variables it took over from other modules", () => {
    const e = parseEnv({});
    expect(e.DATABASE_POOL_SIZE).toBe(10);
    expect(e.PGLITE_DIR).toBeUndefined();
    expect(e.DATA_DIR).toBeUndefined();
    expect(e.MIGRATIONS_DIR).toBeUndefined();
    expect(e.AUTH_URL).toBeUndefined();
    expect(e.LOG_LEVEL).toBe("info");
    expect(e.LOG_PROMPTS).toBe(false);
    expect(e.OTEL_RESOURCE_ATTRIBUTES).toEqual({});
  });

  it("names each malformed variable", () => {
    const bad = { DATABASE_POOL_SIZE: "ten", AUTH_URL: "not a url", OTEL_RESOURCE_ATTRIBUTES: "team" };
    expect(() => parseEnv(bad)).toThrow(EnvError);
    expect(() => parseEnv(bad)).toThrow(/DATABASE_POOL_SIZE: .*\n {2}AUTH_URL: .*\n {2}OTEL_RESOURCE_ATTRIBUTES: expected key=value pairs/);
    expect(() => parseEnv({ DATABASE_POOL_SIZE: "0" })).toThrow(/DATABASE_POOL_SIZE/);
  });

  it("reads OTEL_RESOURCE_ATTRIBUTES as the spec writes it (percent-encoded values)", () => {
    const e = parseEnv({ OTEL_RESOURCE_ATTRIBUTES: " deployment.environment=staging, team=a%2Cb ,," });
    expect(e.OTEL_RESOURCE_ATTRIBUTES).toEqual({ "deployment.environment": "staging", team: "a,b" });
    expect(() => parseEnv({ OTEL_RESOURCE_ATTRIBUTES: "=x" })).toThrow(/OTEL_RESOURCE_ATTRIBUTES/);
    expect(() => parseEnv({ OTEL_RESOURCE_ATTRIBUTES: "a=%E0%A4%A" })).toThrow(/OTEL_RESOURCE_ATTRIBUTES/);
  });
});

describe("the traces' resource", () => {
  it("takes service.name from OTEL_SERVICE_NAME, over OTEL_RESOURCE_ATTRIBUTES, else pollchat", () => {
    const named = (source: Record<string, string>) => resourceAttributes(parseEnv(source))["service.name"];
    expect(named({})).toBe("pollchat");
    expect(named({ OTEL_RESOURCE_ATTRIBUTES: "service.name=from-attrs" })).toBe("from-attrs");
    expect(named({ OTEL_RESOURCE_ATTRIBUTES: "service.name=from-attrs", OTEL_SERVICE_NAME: "chat-eu" })).toBe("chat-eu");
    const attrs = resourceAttributes(parseEnv({ OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=staging" }));
    expect(attrs["deployment.environment"]).toBe("staging");
    expect(attrs["service.version"]).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("logSettings", () => {
  it("reads LOG_LEVEL and LOG_PROMPTS the way env() does", () => {
    expect(logSettings({ LOG_LEVEL: " DEBUG ", LOG_PROMPTS: "yes" })).toEqual({ level: "debug", prompts: true });
    expect(logSettings({})).toEqual({ level: "info", prompts: false });
  });

  it("falls back to each default when a value is invalid (env() reports it; logging must still work)", () => {
    expect(logSettings({ LOG_LEVEL: "loud", LOG_PROMPTS: "maybe" })).toEqual({ level: "info", prompts: false });
    expect(logSettings({ LOG_LEVEL: "warn", DATABASE_POOL_SIZE: "ten" })).toEqual({ level: "warn", prompts: false });
  });
});
