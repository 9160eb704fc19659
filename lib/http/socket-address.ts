/**
 * The TCP peer's address, for route handlers that only see headers.
 *
 * Next.js (base-server.js) fills X-Forwarded-For from the socket only when the request has none
 * (`req.headers['x-forwarded-for'] ??= socket.remoteAddress`): a client that sends its own
 * header chooses its address. App Router route handlers get a web Request without the socket.
 * So at start (instrumentation.ts) every Node HTTP server of the process is made to stamp each
 * request, before Next.js sees it, with a header holding the socket's address and a random
 * per-process key; whatever a client sent under that name is overwritten. A header without the
 * key (the hook is not installed, or a client made it up) is ignored.
 */
import http from "node:http";
import { randomBytes } from "node:crypto";

export const SOCKET_HEADER = "x-pollchat-peer";

const KEY = Symbol.for("pollchat.peerKey");
type Holder = { [KEY]?: string };

export function installSocketAddressHeader(): void {
  const holder = globalThis as Holder;
  if (holder[KEY]) return;
  const key = randomBytes(16).toString("base64url");
  holder[KEY] = key;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the server as `this` below
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const req = args[0] as http.IncomingMessage;
      req.headers[SOCKET_HEADER] = `${key} ${req.socket?.remoteAddress ?? ""}`;
    }
    return emit.apply(this, [event, ...args] as unknown as Parameters<typeof emit>);
  } as typeof emit;
}

/** The socket address stamped on these headers, or undefined when not stamped by this process. */
export function socketAddress(headers: { get(name: string): string | null }): string | undefined {
  const key = (globalThis as Holder)[KEY];
  const value = headers.get(SOCKET_HEADER);
  if (!key || !value) return undefined;
  const space = value.indexOf(" ");
  if (space < 0 || value.slice(0, space) !== key) return undefined;
  return value.slice(space + 1) || undefined;
}
