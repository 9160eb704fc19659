/**
 * The environment, validated once at first use, with a clear message for anything malformed.
 * The one reader of the configuration: every variable the app reads is declared here, listed in
 * .env.example and documented in the README's configuration table (test/unit/env.test.ts
 * checks all three agree).
 *
 * Also imported by db/client.ts, which plain Node runs too (`npm run db:migrate`, type
 * stripping): so relative imports with `.ts` extensions and nothing Next-only here.
 *
 * Read outside this module, on purpose:
 * - PORT and HOSTNAME: by Next's standalone server.js and scripts/start.mjs, before the app loads;
 * - NEXT_RUNTIME: by instrumentation.ts, to load nothing Node-only in the edge runtime;
 * - NODE_ENV in proxy.ts: Next inlines it at build time;
 * - the OTel exporter's own OTEL_EXPORTER_OTLP_* (headers, per-signal endpoints, batching).
 */
import "server-only";
import { DEFAULT_MAX_MESSAGE_CHARS } from "./contract.ts";
import { z } from "zod";

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const list = z
  .string()
  .optional()
  .transform((s) => (s ?? "").split(",").map((x) => x.trim()).filter(Boolean));
const bool = (def: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no", ""])
    .optional()
    .transform((v) => (v === undefined || v === "" ? def : ["true", "1", "yes"].includes(v)));
const optionalString = z
  .string()
  .optional()
  .transform((s) => (s && s.trim() ? s.trim() : undefined));
const logLevel = z
  .string()
  .optional()
  .transform((s) => (s ?? "").trim().toLowerCase() || "info")
  .pipe(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]));

/**
 * OTEL_RESOURCE_ATTRIBUTES as the OpenTelemetry spec writes it: `key=value,key=value`, values
 * percent-encoded.
 */
const resourceAttributes = z
  .string()
  .optional()
  .transform((s, ctx) => {
    const out: Record<string, string> = {};
    for (const pair of (s ?? "").split(",")) {
      if (!pair.trim()) continue;
      const at = pair.indexOf("=");
      const key = at > 0 ? pair.slice(0, at).trim() : "";
      let value: string | undefined;
      try {
        value = at > 0 ? decodeURIComponent(pair.slice(at + 1).trim()) : undefined;
      } catch {
        value = undefined;
      }
      if (!key || value === undefined) {
        ctx.addIssue({ code: "custom", message: `expected key=value pairs separated by commas, got "${pair.trim()}"` });
        return z.NEVER;
      }
      out[key] = value;
    }
    return out;
  });

/** The tools lib/tools offers without any server (lib/tools/builtin.ts implements each). */
export const BUILTIN_TOOL_NAMES = ["current_time", "calculator"] as const;
export type BuiltinToolName = (typeof BUILTIN_TOOL_NAMES)[number];

/**
 * BUILTIN_TOOLS: unset, all of them; empty, none (an operator who writes `BUILTIN_TOOLS=` means
 * "no tools", not "the default").
 */
const builtinTools = z
  .string()
  .optional()
  .transform((s) => (s === undefined ? [...BUILTIN_TOOL_NAMES] : s.split(",").map((x) => x.trim()).filter(Boolean)))
  .pipe(z.array(z.enum(BUILTIN_TOOL_NAMES, { error: (i) => `unknown built-in tool "${String(i.input)}" (known: ${BUILTIN_TOOL_NAMES.join(", ")})` })));

/** The MCP server's name: the prefix of its tools' names as the model sees them, and in logs. */
const mcpServerName = z.string().regex(/^[a-zA-Z0-9_-]{1,32}$/, "a name of 1-32 letters, digits, _ or -");
const mcpCommon = {
  name: mcpServerName,
  /** true: every tool of the server waits for a member's approval; a list: those tools. */
  approval: z.union([z.boolean(), z.array(z.string().min(1))]).default(false),
  /** Only these of the server's tools are offered (unset: all). */
  tools: z.array(z.string().min(1)).optional(),
};
const mcpStdioServer = z.strictObject({
  ...mcpCommon,
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  /** The child's environment: these plus PATH, HOME and a few more (not the app's secrets). */
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().min(1).optional(),
});
const mcpHttpServer = z.strictObject({
  ...mcpCommon,
  url: z.url({ protocol: /^https?$/, error: "an http:// or https:// URL" }),
  headers: z.record(z.string(), z.string()).optional(),
});
export type McpServerConfig = z.infer<typeof mcpStdioServer> | z.infer<typeof mcpHttpServer>;

/** MCP_SERVERS: a JSON array of servers, with unique names. */
const mcpServers = z
  .string()
  .optional()
  .transform((s, ctx): unknown => {
    if (!s || !s.trim()) return [];
    try {
      return JSON.parse(s);
    } catch (err) {
      // Where, not what: the value may hold a server's bearer token, and the parser quotes it.
      const at = err instanceof Error ? /position (\d+)/.exec(err.message)?.[1] : undefined;
      ctx.addIssue({ code: "custom", message: `not valid JSON${at ? ` (at character ${at})` : ""}` });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(z.union([mcpStdioServer, mcpHttpServer], { error: 'each server needs a "command" (stdio) or a "url" (streamable HTTP), and only the documented keys' }))
      .superRefine((servers, ctx) => {
        const seen = new Set<string>();
        servers.forEach((server, i) => {
          if (seen.has(server.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `"${server.name}" is used twice` });
          seen.add(server.name);
        });
      }),
  );

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: optionalString,
  /** Connections per server process (postgres.js pool; PostgreSQL only). */
  DATABASE_POOL_SIZE: int(10, 1),
  /**
   * A direct (session) connection for LISTEN when DATABASE_URL goes through a transaction-mode
   * pooler, which does not deliver notifications (unset: DATABASE_URL).
   */
  DATABASE_LISTEN_URL: optionalString,
  /** The embedded database's directory (unset: .data/pglite under the working directory). */
  PGLITE_DIR: optionalString,
  /** Where a generated auth-secret is kept (unset: .data under the working directory). */
  DATA_DIR: optionalString,
  /** Where the SQL migrations are read from (unset: db/migrations under the working directory). */
  MIGRATIONS_DIR: optionalString,

  AUTH_SECRET: optionalString,
  /** The app's public URL when a proxy hides it (Auth.js reads it too). */
  AUTH_URL: optionalString.pipe(z.url().optional()),
  /** Auth.js's older name for AUTH_URL, still honoured. */
  NEXTAUTH_URL: optionalString.pipe(z.url().optional()),
  AUTH_GITHUB_ID: optionalString,
  AUTH_GITHUB_SECRET: optionalString,
  AUTH_GOOGLE_ID: optionalString,
  AUTH_GOOGLE_SECRET: optionalString,

  OPENAI_API_KEY: optionalString,
  OPENAI_MODELS: list,
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_MODELS: list,
  /** Another Anthropic-compatible endpoint (a proxy; the tests' fake server). */
  ANTHROPIC_BASE_URL: optionalString.pipe(z.url().optional()),
  OPENAI_COMPATIBLE_BASE_URL: optionalString.pipe(z.url().optional()),
  OPENAI_COMPATIBLE_API_KEY: optionalString,
  OPENAI_COMPATIBLE_MODELS: list,
  OPENAI_COMPATIBLE_NAME: z.string().default("Local"),
  /** The server continues a final assistant message (vLLM, SGLang, llama.cpp): an interrupted answer is resumed by prefill. */
  OPENAI_COMPATIBLE_CONTINUE: bool(false),
  AI_GATEWAY_API_KEY: optionalString,
  AI_GATEWAY_MODELS: list,
  /** Offer the demo model even when real models are configured. */
  DEMO_MODEL: bool(false),
  DEMO_TOKENS_PER_SECOND: int(45, 1),
  DEFAULT_MODEL: optionalString,
  /**
   * Models whose reasoning is asked for and shown (ids as in /api/models, e.g.
   * "anthropic:claude-sonnet-4-5,compatible:deepseek-r1"); "*": every model. docs/design.md §3.11.
   */
  REASONING_MODELS: list,
  /** How many tokens a model may think for, where the provider takes a budget (Anthropic). */
  REASONING_BUDGET_TOKENS: int(4_096, 1_024),
  // ---- tools (lib/tools): added by the tools work
  /** The MCP servers whose tools models may call: a JSON array (README, Configuration). */
  MCP_SERVERS: mcpServers,
  /** The built-in tools offered (comma-separated; unset: all; empty: none). */
  BUILTIN_TOOLS: builtinTools,
  /** A tool call running longer than this fails (the model is told so). */
  TOOL_TIMEOUT_MS: int(60_000, 100),

  /** How long a runner's claim on a generation lasts without renewal. */
  LEASE_MS: int(2_000, 1_000),
  /**
   * Output is written to the database at most this often... (105 ms: at most 9.5 writes a
   * second per answer, inside the 10 a second budget even with timers running late;
   * bench/RESULTS.md#goal-2-write-amplification)
   */
  FLUSH_INTERVAL_MS: int(105, 10),
  /** ...or as soon as this many characters are waiting. */
  FLUSH_MAX_CHARS: int(16_384, 1),
  MAX_ATTEMPTS: int(3, 1),
  GENERATION_TIMEOUT_MS: int(600_000, 1_000),
  /**
   * Models offered the tools (ids as in /api/models); "*": every real model (never the demo).
   * Unset: OpenAI, Anthropic and AI Gateway models; OpenAI-compatible ones only when named.
   */
  TOOL_MODELS: list,
  /**
   * Models given images as images (ids as in /api/models); "*": every real model (never the
   * demo). Unset: OpenAI, Anthropic and AI Gateway models; OpenAI-compatible ones only when named.
   * The others get a note instead (docs/design.md §3.13).
   */
  IMAGE_MODELS: list,
  /** Models given PDFs as files, as IMAGE_MODELS; the others get the PDF's text. */
  PDF_MODELS: list,
  /** How many model steps one answer may take (each step may call tools). */
  TOOL_MAX_STEPS: int(6, 1),
  /** How long a tool call that needs approval waits for a member's click before it is refused. */
  TOOL_APPROVAL_TIMEOUT_MS: int(300_000, 1_000),
  /** At most this many characters of one tool's output go to the model (and all of them within CONTEXT_BUDGET_CHARS). */
  TOOL_OUTPUT_MAX_CHARS: int(16_000, 500),
  FIRST_TOKEN_TIMEOUT_MS: int(60_000, 100),
  STALL_TIMEOUT_MS: int(60_000, 100),
  /** On SIGTERM, answers in progress get this long to finish before they are handed over. */
  SHUTDOWN_GRACE_MS: int(25_000, 0),
  /** On a Node server in production, the chat polls are answered before Next's pipeline (docs/design.md §8.2). */
  POLL_FAST_PATH: bool(true),
  /**
   * `auto`: a poll that finds nothing new is answered from memory, kept right by PostgreSQL's
   * LISTEN/NOTIFY (docs/design.md §8.3; off by itself where notifications do not arrive).
   * `off`: every poll asks the database.
   */
  POLL_CACHE: z.enum(["auto", "off"]).default("auto"),
  /** A queued request not started by its own server within this time is started by a poll. */
  QUEUED_GRACE_MS: int(5_000, 0),
  /** Characters of chat history sent to the model (newest kept). */
  CONTEXT_BUDGET_CHARS: int(48_000, 1_000),
  MAX_MESSAGE_CHARS: int(DEFAULT_MAX_MESSAGE_CHARS, 1),
  /** The largest file POST /api/import takes (413 above). */
  IMPORT_MAX_BYTES: int(8 * 1024 * 1024, 1024),
  RATE_LIMIT_MESSAGES_PER_HOUR: int(120, 0),
  RATE_LIMIT_CONCURRENT: int(3, 0),
  /** Input + output tokens per user per UTC day (0: no limit). Quotas: lib/quotas.ts. */
  RATE_LIMIT_TOKENS_PER_DAY: int(1_000_000, 0),
  /** "Try without an account": guests get their own, tighter defaults. */
  ALLOW_GUESTS: bool(false),
  GUEST_MESSAGES_PER_HOUR: int(20, 0),
  GUEST_TOKENS_PER_DAY: int(50_000, 0),
  GUEST_CONCURRENT: int(1, 0),
  /** Emails (comma-separated) that are admins whatever their stored role, read at every check. */
  ADMIN_EMAILS: z
    .string()
    .optional()
    .transform((s) => (s ?? "").split(",").map((x) => x.trim().toLowerCase()).filter(Boolean)),
  /** Extra origins allowed to POST (comma-separated), besides the app's own. */
  ALLOWED_ORIGINS: list,
  /** Sign-in failures per account, and per client address, within SIGNIN_WINDOW_SECONDS (0: no limit). */
  SIGNIN_MAX_FAILURES_PER_ACCOUNT: int(10, 0),
  SIGNIN_MAX_FAILURES_PER_IP: int(50, 0),
  SIGNIN_WINDOW_SECONDS: int(900, 1),
  /** Sign-ups per client address within REGISTER_WINDOW_SECONDS (0: no limit). */
  REGISTER_MAX_PER_IP: int(20, 0),
  REGISTER_WINDOW_SECONDS: int(3600, 1),
  /**
   * How many proxies in front of the app append to X-Forwarded-For: the client's address is
   * the entry that many places from the right (0: none; the address Next.js recorded).
   */
  TRUST_PROXY: int(0, 0),

  /** Mail (verification, password reset): smtp:// or smtps:// URL; unset, mail goes to the server log. */
  SMTP_URL: optionalString.pipe(z.url().optional()),
  MAIL_FROM: z.string().default("PollChat <no-reply@localhost>"),
  /** Files (docs/design.md §3.13): the largest upload (413 above). */
  MAX_ATTACHMENT_BYTES: int(20 * 1024 * 1024, 1),
  /** Bytes of files read for one answer (images and PDFs given as files, text read), the question's first (§3.13). */
  PROMPT_FILES_MAX_BYTES: int(32 * 1024 * 1024, 1),
  /** Files one message may carry (400 above). */
  MAX_ATTACHMENTS_PER_MESSAGE: int(10, 0),
  /** Bytes of files a user may keep (the admin sets one user's own); guests get GUEST_STORAGE_BYTES. */
  STORAGE_PER_USER_BYTES: int(1024 * 1024 * 1024, 0),
  GUEST_STORAGE_BYTES: int(50 * 1024 * 1024, 0),
  /** Set, files go to this S3-compatible bucket (object key: the SHA-256); unset, to PostgreSQL. */
  S3_BUCKET: optionalString,
  /** An S3-compatible service's URL (MinIO, R2, …); unset, AWS's own for S3_REGION. */
  S3_ENDPOINT: optionalString.pipe(z.url().optional()),
  S3_REGION: z.string().default("us-east-1"),
  /** Unset, the AWS SDK's own chain (environment, instance role). */
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  /** Path-style URLs (endpoint/bucket/key), as most S3-compatible servers want. */
  S3_FORCE_PATH_STYLE: bool(false),
  /** Chats created per user per hour, each chat of an import file included; guests get GUEST_CHATS_PER_HOUR. */
  CHATS_PER_HOUR: int(200, 0),
  GUEST_CHATS_PER_HOUR: int(20, 0),
  /** Imports (POST /api/import) per user per hour. */
  IMPORTS_PER_HOUR: int(10, 0),

  /** Operations: logs, metrics, traces, time limits (README, "Deploy"). */
  LOG_LEVEL: logLevel,
  /** Log prompt and answer text (and errors whole). Never in production with real users. */
  LOG_PROMPTS: bool(false),
  /** Bearer token for GET /api/metrics; unset, the endpoint answers 404. */
  METRICS_TOKEN: optionalString,
  /** Bearer token for GET /api/ops/invariants (reads ids of users' rows); unset, it answers 404. */
  OPS_TOKEN: optionalString,
  /** OpenTelemetry traces go to this OTLP/HTTP endpoint; unset, nothing is loaded. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(z.url().optional()),
  /** The traces' service.name (over one in OTEL_RESOURCE_ATTRIBUTES, as the spec says). */
  OTEL_SERVICE_NAME: optionalString,
  /** More resource attributes for the traces, e.g. deployment.environment=staging. */
  OTEL_RESOURCE_ATTRIBUTES: resourceAttributes,
  /** A runner hands over after this long (unset: no limit, except 285 s on Vercel; 0: none). */
  RUNNER_TIME_BUDGET_MS: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.coerce.number().int().min(0).optional()),
  /** Set by Vercel in its functions. */
  VERCEL: optionalString,
});

export type Env = z.infer<typeof schema>;

/** Set by the platform (Next, Vercel), not by an operator: not in .env.example. */
export const PLATFORM_VARIABLES: readonly string[] = ["NODE_ENV", "VERCEL"];
/** Read by Next's server.js and scripts/start.mjs before the app loads (see the top). */
export const SERVER_VARIABLES: readonly string[] = ["PORT", "HOSTNAME"];

/** Every variable an operator may set: what .env.example and the README list. */
export function configurationVariables(): string[] {
  return [...Object.keys(schema.shape).filter((k) => !PLATFORM_VARIABLES.includes(k)), ...SERVER_VARIABLES];
}

let cached: Env | undefined;

export class EnvError extends Error {
  override name = "EnvError";
}

/** Validates `source` (the process's environment in env()), or throws one EnvError naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/** The process's environment, validated at first use and kept. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests that change the environment: the next env() validates it again. */
export function resetEnvForTests(): void {
  cached = undefined;
}

/** The environment when it is valid, else undefined: for code that must not fail on it. */
export function validEnv(): Env | undefined {
  try {
    return env();
  } catch (err) {
    if (err instanceof EnvError) return undefined;
    throw err;
  }
}

export interface LogSettings {
  level: Env["LOG_LEVEL"];
  prompts: boolean;
}

const logFallback = z.object({ LOG_LEVEL: logLevel.catch("info"), LOG_PROMPTS: bool(false).catch(false) });

/**
 * LOG_LEVEL and LOG_PROMPTS for the logger, which must work before env() has been checked and
 * when it is invalid (the start logs that): from env() when it is valid, else each on its own,
 * an invalid one at its default (env() reports it).
 */
export function logSettings(source?: Record<string, string | undefined>): LogSettings {
  const e = source ? logFallback.parse(source) : (validEnv() ?? logFallback.parse(process.env));
  return { level: e.LOG_LEVEL, prompts: e.LOG_PROMPTS };
}
