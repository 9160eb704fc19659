/** Runs once per server process at start (next dev, next start, the standalone server.js). */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Traces only when asked for: otherwise no OpenTelemetry code is even loaded.
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) {
    const { startTracing } = await import("./lib/tracing");
    startTracing();
  }
  const { startServer } = await import("./lib/server-start");
  await startServer();
  if (process.env.NODE_ENV === "development") {
    const { startDevWarmup } = await import("./lib/dev-warmup");
    startDevWarmup();
  }
}
