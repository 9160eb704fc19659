/**
 * The polls' fast path (docs/design.md §8.2): on a Node server (`npm start`, the standalone
 * server.js, the container), a request for one of the chat polls is answered as it arrives,
 * before Next's pipeline (its router, rewrites, header rules and the Pages API machinery: most
 * of a poll's CPU, bench/RESULTS.md#goal-1-poll-cost). Everything else goes to Next unchanged.
 *
 * It runs the same handler as the Pages API route (lib/http/poll-handlers.ts: the same guard,
 * queries, JSON and htmx fragments, request id, log line and metrics) and adds what Next would
 * have: the static security headers (next.config.mjs), the path's parameters as `req.query`
 * over the query string's (as Next's rewrite does), and a 400 for a path that is not properly
 * percent-encoded (proxy.ts). On Vercel there is no Node server to hook: the Pages routes serve.
 *
 * Next makes the server and hands it to nobody, so the hook is http.Server's `emit`, like
 * lib/http/socket-address.ts. It is installed before the other hooks, so theirs run first (the
 * socket's address is stamped, a draining server adds `Connection: close`).
 */
import http from "node:http";
import { Duplex } from "node:stream";
import compression from "next/dist/compiled/compression";
import type { NextApiRequest, NextApiResponse } from "next";
import { POLL_ROUTES } from "./poll-routes";
import { STATIC_SECURITY_HEADERS } from "./security-headers";
import { AppError } from "../errors";

type Handler = (req: NextApiRequest, res: NextApiResponse) => Promise<void>;

/** Runs `fn` inside a server span named `name` when tracing is on (lib/tracing.ts installs it). */
export type TraceRequest = (req: http.IncomingMessage, name: string, fn: () => Promise<void>) => Promise<void>;

interface FastRoute {
  pattern: RegExp;
  keys: string[];
  name: string;
  handler: Handler;
}

const TRACE_KEY = Symbol.for("pollchat.traceRequest");
type Holder = { [TRACE_KEY]?: TraceRequest };

/** Called by lib/tracing.ts when traces are on: fast-path polls get their span like Next's requests. */
export function traceFastPathWith(trace: TraceRequest): void {
  (globalThis as Holder)[TRACE_KEY] = trace;
}

/** `/chat/:uuid/messages` as a pattern with one group per parameter. */
function compile(source: string): { pattern: RegExp; keys: string[] } {
  const keys: string[] = [];
  const body = source.replace(/:([a-z_]+)/g, (_m, key: string) => {
    keys.push(key);
    return "([^/]+)";
  });
  return { pattern: new RegExp(`^${body}$`), keys };
}

/** The route a request path is for, with its parameters, or undefined (Next serves it). */
export function matchPoll<T extends { pattern: RegExp; keys: string[] }>(routes: T[], url: string): { route: T; params: Record<string, string> } | "bad_encoding" | undefined {
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    try {
      route.keys.forEach((key, i) => (params[key] = decodeURIComponent(m[i + 1]!)));
    } catch {
      return "bad_encoding";
    }
    return { route, params };
  }
  return undefined;
}

/** The query as Next gives it to a rewritten Pages route: the URL's query, the path's parameters over it. */
function queryOf(url: string, params: Record<string, string>): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  const q = url.indexOf("?");
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(url.slice(q + 1))) {
      const had = query[k];
      query[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
    }
  }
  return Object.assign(query, params);
}

/** The `x-forwarded-*` defaults Next's server sets on every request (base-server.js), read by the session cookie's name. */
function forwardedDefaults(req: http.IncomingMessage): void {
  const h = req.headers;
  const https = h["x-forwarded-proto"] ? h["x-forwarded-proto"] === "https" : Boolean((req.socket as { encrypted?: boolean } | null)?.encrypted);
  h["x-forwarded-host"] ??= h.host;
  h["x-forwarded-port"] ??= String(req.socket?.localPort ?? (https ? 443 : 80));
  h["x-forwarded-proto"] ??= https ? "https" : "http";
  h["x-forwarded-for"] ??= req.socket?.remoteAddress;
}

const compress = compression();
const noop = () => {};

/**
 * The compression Next's server applies to every response (gzip above 1 kB for a client that
 * accepts it, `Vary: Accept-Encoding`), with its fix for a client that goes away mid-answer
 * (release-compression-stream.js): the zlib stream is destroyed, not leaked.
 */
function compressLikeNext(req: http.IncomingMessage, res: http.ServerResponse): void {
  compress(req, res, noop);
  res.once("close", () => {
    if (res.writableFinished) return;
    const stream = res.on("drain", noop) as unknown;
    res.off("drain", noop);
    if (stream !== res && stream instanceof Duplex) stream.destroy();
  });
}

function writeStatic(res: http.ServerResponse): void {
  for (const { key, value } of STATIC_SECURITY_HEADERS) res.setHeader(key, value);
}

async function badEncoding(res: http.ServerResponse): Promise<void> {
  const response = new AppError("bad_request", "The URL is not properly percent-encoded.").toResponse();
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.end(await response.text());
}

/**
 * Answers the chat polls on every Node HTTP server of this process before Next sees them.
 * Returns false when it was already installed.
 */
export function installPollFastPath(handlers: Record<string, Handler>): boolean {
  const installed = Symbol.for("pollchat.pollFastPath");
  const proto = http.Server.prototype as http.Server & { [installed]?: true };
  if (proto[installed]) return false;
  proto[installed] = true;
  const routes: FastRoute[] = POLL_ROUTES.map((r) => {
    const handler = handlers[r.template];
    if (!handler) throw new Error(`no fast-path handler for ${r.template}`);
    return { ...compile(r.source), name: r.template, handler };
  });
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the server as `this` below
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event !== "request") return emit.apply(this, [event, ...args] as unknown as Parameters<typeof emit>);
    const req = args[0] as http.IncomingMessage;
    const found = req.url?.startsWith("/chat/") ? matchPoll(routes, req.url) : undefined;
    if (found === undefined) return emit.apply(this, [event, ...args] as unknown as Parameters<typeof emit>);
    const res = args[1] as http.ServerResponse;
    compressLikeNext(req, res);
    writeStatic(res);
    if (found === "bad_encoding") {
      void badEncoding(res);
      return true;
    }
    const { route, params } = found;
    forwardedDefaults(req);
    (req as NextApiRequest).query = queryOf(req.url!, params);
    const run = () => route.handler(req as NextApiRequest, res as NextApiResponse);
    const trace = (globalThis as Holder)[TRACE_KEY];
    (trace ? trace(req, `${req.method ?? "GET"} ${route.name}`, run) : run()).catch((err: unknown) => {
      // The guard answers every error itself; this is only a last resort.
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ error: { code: "internal_error", message: "Something went wrong on our side." } }));
      } else res.destroy(err instanceof Error ? err : undefined);
    });
    return true;
  } as typeof emit;
  return true;
}
