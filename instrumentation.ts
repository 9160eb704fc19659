/** Runs once per server process at start (next dev, next start, the standalone server.js). */
export async function register() {
  // Set by Next for each runtime; read here, not through lib/env.ts, so that the edge runtime
  // loads nothing Node-only.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Before any request: route handlers learn the socket's address (per-address limits), and
  // the servers and their connections are known to the shutdown (docs/design.md §7.2).
  const { installSocketAddressHeader } = await import("./lib/http/socket-address");
  installSocketAddressHeader();
  const { installServerLifecycle } = await import("./lib/http/server-lifecycle");
  installServerLifecycle();
  // Traces only when asked for: otherwise no OpenTelemetry code is even loaded. An invalid
  // environment is left to startServer, which stops the process with its message.
  const { validEnv } = await import("./lib/env");
  const e = validEnv();
  if (e?.OTEL_EXPORTER_OTLP_ENDPOINT) {
    const { startTracing, flushTraces } = await import("./lib/tracing");
    startTracing(e);
    const { flushBeforeExit } = await import("./lib/shutdown");
    flushBeforeExit(flushTraces);
  }
  const { startServer } = await import("./lib/server-start");
  await startServer();
  if (e?.NODE_ENV === "development") {
    const { startDevWarmup } = await import("./lib/dev-warmup");
    startDevWarmup();
  }
}
