/**
 * OpenTelemetry traces, loaded by instrumentation.ts only when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set. Spans of Next.js (each request) and of the AI SDK (each model call) go to that
 * endpoint over OTLP/HTTP (JSON), batched. The exporter reads the standard variables itself:
 * OTEL_EXPORTER_OTLP_ENDPOINT (it appends /v1/traces), OTEL_EXPORTER_OTLP_HEADERS,
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_BSP_SCHEDULE_DELAY...
 */
import { OpenTelemetry } from "@ai-sdk/otel";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { registerTelemetry } from "ai";
import { log } from "./log";

const g = globalThis as unknown as { __pollchatTracing?: NodeTracerProvider };

export function startTracing(): void {
  if (g.__pollchatTracing) return;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      "service.name": process.env.OTEL_SERVICE_NAME?.trim() || "pollchat",
      "service.version": process.env.npm_package_version ?? "0.1.0",
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // Global tracer provider, AsyncLocalStorage context and W3C trace-context propagation.
  provider.register();
  g.__pollchatTracing = provider;
  // The AI SDK's spans (ai.streamText and its model call) through the same provider.
  registerTelemetry(new OpenTelemetry());
  // On SIGTERM Next closes the server and exits: send what is batched first.
  process.once("SIGTERM", () => void provider.forceFlush().catch(() => {}));
  log().info({ endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT }, "OpenTelemetry traces on");
}
