/** Runs once per server process at start (next dev, next start, the standalone server.js). */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Before any request: route handlers learn the socket's address (per-address limits).
  const { installSocketAddressHeader } = await import("./lib/http/socket-address");
  installSocketAddressHeader();
  // Traces only when asked for: otherwise no OpenTelemetry code is even loaded.
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) {
    const { startTracing } = await import("./lib/tracing");
    startTracing();
  }
  const { startServer } = await import("./lib/server-start");
  await startServer();
}
