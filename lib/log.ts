/**
 * Structured logs: one JSON object per line on stdout (pino). Every line written while a
 * request is handled carries its `requestId` (and `userId` once the session is known), from
 * an AsyncLocalStorage that the route guard fills; it follows the work into `after()`. With
 * tracing on (lib/tracing.ts), a line written inside a span also carries that span's
 * `trace_id`, `span_id` and `trace_flags`, OpenTelemetry's names for log correlation.
 *
 * What never goes into a line unless LOG_PROMPTS=true: message text, prompts, answers,
 * passwords, cookies, tokens, secrets. Errors are reduced to their name, code, status and
 * message (a driver's query parameters and an SDK's request body are cut off), because an
 * error object can carry everything that was sent.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type Logger } from "pino";
import { logSettings } from "./env";

export type { Logger } from "pino";

export interface RequestContext {
  requestId: string;
  userId?: string;
}

/** LOG_PROMPTS=true lets the runner log prompt and answer text, and errors whole. */
export function logPrompts(): boolean {
  return logSettings().prompts;
}

/** Keeps what explains an error and drops what may hold user data (query params, bodies). */
function scrub(text: string): string {
  return text.replace(/\nparams: [\s\S]*?(?=\n {4}at |$)/, "\nparams: [not logged]");
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  stack?: unknown;
  code?: unknown;
  statusCode?: unknown;
  cause?: unknown;
  lastError?: unknown;
}

export function serializeError(err: unknown, depth = 0): Record<string, unknown> | string {
  if (!(err instanceof Error) && (typeof err !== "object" || err === null)) return String(err);
  const e = err as ErrorLike;
  const out: Record<string, unknown> = { type: typeof e.name === "string" ? e.name : "Error" };
  if (typeof e.message === "string") out.message = scrub(e.message);
  if (typeof e.code === "string" || typeof e.code === "number") out.code = e.code;
  if (typeof e.statusCode === "number") out.statusCode = e.statusCode;
  if (typeof e.stack === "string") out.stack = scrub(e.stack);
  if (depth < 4) {
    // The AI SDK's RetryError keeps the real failure in lastError.
    if (e.lastError) out.lastError = serializeError(e.lastError, depth + 1);
    if (e.cause) out.cause = serializeError(e.cause, depth + 1);
  }
  return out;
}

/** The active span's ids as log fields, or undefined outside any span. */
export type TraceFields = () => { trace_id: string; span_id: string; trace_flags: string } | undefined;

interface LogState {
  logger: Logger;
  als: AsyncLocalStorage<RequestContext>;
  /** Set by lib/tracing.ts when traces are on; unset, a line costs no OpenTelemetry lookup. */
  traceFields?: TraceFields;
}

// Next loads instrumentation and route handlers as separate bundles: share one logger and one
// context store per process.
const g = globalThis as unknown as { __pollchatLog?: LogState };

function state(): LogState {
  if (g.__pollchatLog) return g.__pollchatLog;
  const als = new AsyncLocalStorage<RequestContext>();
  // An invalid LOG_* is reported by env() at start; logging must work before that (lib/env.ts).
  const { level, prompts: full } = logSettings();
  const s: LogState = {
    als,
    logger: pino({
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const c = als.getStore();
        const ids = c ? (c.userId ? { requestId: c.requestId, userId: c.userId } : { requestId: c.requestId }) : {};
        const span = s.traceFields?.();
        return span ? { ...ids, ...span } : ids;
      },
      serializers: full ? { err: pino.stdSerializers.errWithCause } : { err: (e: unknown) => serializeError(e) },
      // Belt and braces: fields that must never be printed whatever a caller passes.
      redact: {
        paths: ["password", "*.password", "authorization", "*.authorization", "cookie", "*.cookie", "secret", "*.secret", "token", "*.token", "headers"],
        censor: "[redacted]",
      },
    }),
  };
  g.__pollchatLog = s;
  return s;
}

/** The process logger; inside a request, its lines carry the request id. */
export function log(): Logger {
  return state().logger;
}

/** From now on every line written inside a span carries its ids (lib/tracing.ts, at start). */
export function correlateWithTraces(fields: TraceFields): void {
  state().traceFields = fields;
}

/** Runs `fn` with `ctx` as the request context of every line it logs (also in `after()`). */
export function withRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  return state().als.run(ctx, fn);
}

export function requestContext(): RequestContext | undefined {
  return state().als.getStore();
}

const SANE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The caller's `x-request-id` when it is a plausible id (a proxy's), else a new one. */
export function requestIdFor(req: { headers: { get(name: string): string | null } }): string {
  const given = req.headers.get("x-request-id")?.trim();
  return given && SANE_ID.test(given) ? given : crypto.randomUUID();
}

/**
 * A start-up failure: one line on stderr, written synchronously because the process exits
 * right after. The message is the operator's sentence, on one line.
 */
export function logFatalSync(message: string): void {
  const out = pino(
    { level: "fatal", base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
    pino.destination({ dest: 2, sync: true }),
  );
  out.fatal(message.replace(/\s*\n\s*/g, " ").trim());
}
