/**
 * The environment, validated once at first use, with a clear message for anything malformed.
 * Every variable is documented in the README's configuration table.
 */
import "server-only";
import { DEFAULT_MAX_MESSAGE_CHARS } from "./contract";
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

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: optionalString,

  AUTH_SECRET: optionalString,
  AUTH_GITHUB_ID: optionalString,
  AUTH_GITHUB_SECRET: optionalString,
  AUTH_GOOGLE_ID: optionalString,
  AUTH_GOOGLE_SECRET: optionalString,

  OPENAI_API_KEY: optionalString,
  OPENAI_MODELS: list,
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_MODELS: list,
  OPENAI_COMPATIBLE_BASE_URL: optionalString.pipe(z.url().optional()),
  OPENAI_COMPATIBLE_API_KEY: optionalString,
  OPENAI_COMPATIBLE_MODELS: list,
  OPENAI_COMPATIBLE_NAME: z.string().default("Local"),
  AI_GATEWAY_API_KEY: optionalString,
  AI_GATEWAY_MODELS: list,
  /** Offer the demo model even when real models are configured. */
  DEMO_MODEL: bool(false),
  DEMO_TOKENS_PER_SECOND: int(45, 1),
  DEFAULT_MODEL: optionalString,

  /** How long a runner's claim on a generation lasts without renewal. */
  LEASE_MS: int(15_000, 1_000),
  /**
   * Output is written to the database at most this often... (105 ms: at most 9.5 writes a
   * second per answer, inside the 10 a second budget even with timer jitter; bench/writes.ts)
   */
  FLUSH_INTERVAL_MS: int(105, 10),
  /** ...or as soon as this many characters are waiting. */
  FLUSH_MAX_CHARS: int(16_384, 1),
  MAX_ATTEMPTS: int(3, 1),
  GENERATION_TIMEOUT_MS: int(600_000, 1_000),
  FIRST_TOKEN_TIMEOUT_MS: int(60_000, 100),
  STALL_TIMEOUT_MS: int(60_000, 100),
  /** On SIGTERM, answers in progress get this long to finish before they are handed over. */
  SHUTDOWN_GRACE_MS: int(25_000, 0),
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
  /** Chats created (and chats imported) per user per hour; guests get GUEST_CHATS_PER_HOUR. */
  CHATS_PER_HOUR: int(200, 0),
  GUEST_CHATS_PER_HOUR: int(20, 0),
  /** Imports (POST /api/import) per user per hour. */
  IMPORTS_PER_HOUR: int(10, 0),

  /** Operations: logs, metrics, traces, time limits (README, "Deploy"). */
  LOG_LEVEL: z
    .string()
    .optional()
    .transform((s) => (s ?? "").trim().toLowerCase() || "info")
    .pipe(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])),
  /** Log prompt and answer text (and errors whole). Never in production with real users. */
  LOG_PROMPTS: bool(false),
  /** Bearer token for GET /api/metrics; unset, the endpoint answers 404. */
  METRICS_TOKEN: optionalString,
  /** Bearer token for GET /api/ops/invariants (reads ids of users' rows); unset, it answers 404. */
  OPS_TOKEN: optionalString,
  /** OpenTelemetry traces go to this OTLP/HTTP endpoint; unset, nothing is loaded. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(z.url().optional()),
  /** A runner hands over after this long (unset: no limit, except 285 s on Vercel; 0: none). */
  RUNNER_TIME_BUDGET_MS: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.coerce.number().int().min(0).optional()),
  /** Set by Vercel in its functions. */
  VERCEL: optionalString,
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export class EnvError extends Error {
  override name = "EnvError";
}

export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}
