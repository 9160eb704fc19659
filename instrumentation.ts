/** Runs once per server process at start (next dev, next start, the standalone server.js). */
export async function register() {
  // Set by Next for each runtime; read here, not through lib/env.ts, so that the edge runtime
  // loads nothing Node-only.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { validEnv } = await import("./lib/env");
  const e = validEnv();
  // The chat polls answered before Next's pipeline, on a Node server in production (not in dev,
  // which recompiles; not on Vercel, which has no Node server): docs/design.md §8.2. First, so
  // that the hooks below run before it.
  if (e?.POLL_FAST_PATH && e.NODE_ENV === "production" && !e.VERCEL) {
    const { installPollFastPath } = await import("./lib/http/poll-fast-path");
    const { messagesPoll, messagesAfterPoll, tokensPoll } = await import("./lib/http/poll-handlers");
    installPollFastPath({
      "/chat/[uuid]/messages": messagesPoll,
      "/chat/[uuid]/messages/[last_uuid]": messagesAfterPoll,
      "/chat/message/[uuid]/tokens/[position]": tokensPoll,
    });
  }
  // Before any request: route handlers learn the socket's address (per-address limits), and
  // the servers and their connections are known to the shutdown (docs/design.md §7.2).
  const { installSocketAddressHeader } = await import("./lib/http/socket-address");
  installSocketAddressHeader();
  const { installServerLifecycle } = await import("./lib/http/server-lifecycle");
  installServerLifecycle();
  // Traces only when asked for: otherwise no OpenTelemetry code is even loaded. An invalid
  // environment is left to startServer, which stops the process with its message.
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
