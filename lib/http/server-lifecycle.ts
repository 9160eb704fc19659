/**
 * The HTTP side of shutdown (docs/design.md §7.2): the process's Node HTTP servers and their
 * connections, and draining them.
 *
 * Next makes the server and hands it to nobody, so it is seen through its events, the way
 * lib/http/socket-address.ts sees requests: at start (instrumentation.ts) http.Server's `emit`
 * is wrapped to note each server and each connection it accepts. Draining then:
 * - stops listening (`server.close()`, which also closes the keep-alive connections idle at
 *   that moment);
 * - answers every request still in progress, and every later one on a connection that stays
 *   open, with `Connection: close`, so Node closes the connection after that answer and a
 *   client that keeps polling reconnects, to another server;
 * - closes, every SWEEP_MS, connections that went idle without that header (their answer's
 *   head was already sent when draining began).
 * Without this a client polling on one keep-alive connection keeps a closed server answering
 * for as long as it polls: `server.close()` waits for every connection to end.
 */
import http from "node:http";
import type { Socket } from "node:net";

const SWEEP_MS = 250;

interface Lifecycle {
  servers: Set<http.Server>;
  sockets: Set<Socket>;
  draining: boolean;
  sweep?: NodeJS.Timeout;
}

const KEY = Symbol.for("pollchat.serverLifecycle");
type Holder = { [KEY]?: Lifecycle };

function state(): Lifecycle {
  const holder = globalThis as Holder;
  return (holder[KEY] ??= { servers: new Set(), sockets: new Set(), draining: false });
}

/** The answer a connection is writing now (Node keeps it on the socket); none between requests. */
function currentResponse(socket: Socket): http.ServerResponse | undefined {
  return (socket as Socket & { _httpMessage?: http.ServerResponse | null })._httpMessage ?? undefined;
}

function closeAfterThisAnswer(res: http.ServerResponse): void {
  if (!res.headersSent) res.setHeader("connection", "close");
}

/** Wraps http.Server's emit to see servers and connections (once per process). */
export function installServerLifecycle(): void {
  const s = state();
  const wrapped = Symbol.for("pollchat.serverLifecycle.emit");
  const proto = http.Server.prototype as http.Server & { [wrapped]?: true };
  if (proto[wrapped]) return;
  proto[wrapped] = true;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the server as `this` below
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "connection") {
      s.servers.add(this);
      const socket = args[0] as Socket;
      s.sockets.add(socket);
      socket.once("close", () => s.sockets.delete(socket));
    } else if (event === "request") {
      // A connection accepted before the hook was installed (at start) still names its server.
      s.servers.add(this);
      if (s.draining) closeAfterThisAnswer(args[1] as http.ServerResponse);
    }
    return emit.apply(this, [event, ...args] as unknown as Parameters<typeof emit>);
  } as typeof emit;
}

/**
 * Stops listening and makes every open connection end after its current answer. Resolves when
 * every server has closed, that is when its last connection has ended.
 */
export function drainServers(): Promise<void> {
  const s = state();
  if (!s.draining) {
    s.draining = true;
    for (const socket of s.sockets) {
      const res = currentResponse(socket);
      if (res) closeAfterThisAnswer(res);
    }
    s.sweep = setInterval(() => {
      for (const server of s.servers) server.closeIdleConnections();
    }, SWEEP_MS);
    s.sweep.unref();
  }
  return Promise.all(
    [...s.servers].map(
      (server) =>
        new Promise<void>((resolve) => {
          if (!server.listening) return resolve();
          server.close(() => resolve());
        }),
    ),
  ).then(() => clearInterval(s.sweep));
}

/** Whether drainServers() has begun: answers now carry `Connection: close`. */
export function serversDraining(): boolean {
  return state().draining;
}

/** Connections still open (accepted since the hook was installed). */
export function openConnections(): number {
  return state().sockets.size;
}

/** Ends every connection now, answers in progress included (at the shutdown's deadline). */
export function closeAllConnections(): void {
  const s = state();
  for (const server of s.servers) server.closeAllConnections();
  for (const socket of s.sockets) socket.destroy();
}
