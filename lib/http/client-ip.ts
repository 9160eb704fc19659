/**
 * The client's address, for per-address rate limits.
 *
 * With TRUST_PROXY=0 (the default: nothing in front of the app) it is the TCP peer's address,
 * stamped on the request at the socket (lib/http/socket-address.ts); X-Forwarded-For is ignored,
 * since a client writes what it likes there (Next.js keeps a client's header as it is). Where no
 * socket is known (a platform such as Vercel runs the app behind its own proxy), the last
 * X-Forwarded-For entry is taken: the one the platform appended.
 *
 * With TRUST_PROXY=n, n proxies each append the address they were reached from, so the client
 * is n entries from the right; entries further left were written by the client and prove nothing.
 */
import { socketAddress } from "./socket-address";

export function clientIp(headers: { get(name: string): string | null }, trustedProxies: number): string | undefined {
  if (trustedProxies === 0) {
    const socket = socketAddress(headers);
    if (socket) return normalizeIp(socket);
  }
  const chain = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const picked = chain[chain.length - Math.max(1, trustedProxies)];
  return picked ? normalizeIp(picked) : undefined;
}

/** `::ffff:10.0.0.1` is 10.0.0.1; IPv6 is lower-cased, brackets and ports dropped. */
function normalizeIp(raw: string): string {
  let ip = raw.toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (bracketed) ip = bracketed[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(":"));
  if (ip.startsWith("::ffff:") && ip.includes(".")) ip = ip.slice(7);
  return ip;
}
