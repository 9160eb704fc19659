/**
 * OpenTelemetry traces, loaded by instrumentation.ts only when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set. Spans of Next.js (each request) and of the AI SDK (each model call) go to that
 * endpoint over OTLP/HTTP (JSON), batched. The exporter reads the standard variables itself:
 * OTEL_EXPORTER_OTLP_ENDPOINT (it appends /v1/traces), OTEL_EXPORTER_OTLP_HEADERS,
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_BSP_SCHEDULE_DELAY... The resource (service.name,
 * OTEL_RESOURCE_ATTRIBUTES) comes from lib/env.ts.
 *
 * Logs join traces: once tracing is started, every log line written inside a span (a request's, and its
 * background generation's, which runs in the request's context: lib/http/background.ts)
 * carries `trace_id`, `span_id` and `trace_flags` (lib/log.ts).
 */
import { OpenTelemetry } from "@ai-sdk/otel";
import { context, isSpanContextValid, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { registerTelemetry } from "ai";
import { env, type Env } from "./env";
import packageJson from "../package.json" with { type: "json" };
import { correlateWithTraces, log, type TraceFields } from "./log";
import { traceFastPathWith, type TraceRequest } from "./http/poll-fast-path";

/**
 * The traces' resource: OTEL_RESOURCE_ATTRIBUTES, with service.name from OTEL_SERVICE_NAME over
 * the one in those attributes (the OpenTelemetry spec's order), else "pollchat".
 */
export function resourceAttributes(e: Pick<Env, "OTEL_SERVICE_NAME" | "OTEL_RESOURCE_ATTRIBUTES">): Record<string, string> {
  const given = e.OTEL_RESOURCE_ATTRIBUTES;
  return {
    "service.version": packageJson.version,
    ...given,
    "service.name": e.OTEL_SERVICE_NAME ?? given["service.name"] ?? "pollchat",
  };
}

/**
 * The active span's ids in OpenTelemetry's log-correlation fields ("Trace Context in non-OTLP
 * Log Formats"): lowercase hex, flags as two digits ("01": sampled, so exported).
 */
export const activeTraceFields: TraceFields = () => {
  const span = trace.getSpan(context.active());
  if (!span) return undefined;
  const c = span.spanContext();
  if (!isSpanContextValid(c)) return undefined;
  return { trace_id: c.traceId, span_id: c.spanId, trace_flags: c.traceFlags.toString(16).padStart(2, "0") };
};

const g = globalThis as unknown as { __pollchatTracing?: NodeTracerProvider };

export function startTracing(e: Env = env()): void {
  if (g.__pollchatTracing) return;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes(resourceAttributes(e)),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // Global tracer provider, AsyncLocalStorage context and W3C trace-context propagation.
  provider.register();
  g.__pollchatTracing = provider;
  correlateWithTraces(activeTraceFields);
  traceFastPathWith(traceRequest);
  // The AI SDK's spans (ai.streamText and its model call) through the same provider.
  registerTelemetry(new OpenTelemetry());
  log().info({ endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT }, "OpenTelemetry traces on");
}

/**
 * A server span for a poll the fast path answers (Next makes one for every request it serves):
 * it continues the caller's `traceparent`, and the poll's log lines carry its ids.
 */
const traceRequest: TraceRequest = (req, name, fn) => {
  const parent = propagation.extract(context.active(), req.headers);
  return trace.getTracer("pollchat").startActiveSpan(
    name,
    { kind: SpanKind.SERVER, attributes: { "http.request.method": req.method ?? "GET", "url.path": (req.url ?? "").split("?")[0] } },
    parent,
    async (span) => {
      try {
        await fn();
      } finally {
        const status = (req.socket as { _httpMessage?: { statusCode?: number } } | null)?._httpMessage?.statusCode;
        if (status !== undefined) span.setAttribute("http.response.status_code", status);
        if (status !== undefined && status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    },
  );
};

/** Sends the spans still batched; the shutdown awaits it before the exit (lib/shutdown.ts). */
export async function flushTraces(): Promise<void> {
  await g.__pollchatTracing?.forceFlush();
}
