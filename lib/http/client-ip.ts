/**
 * The client's address, for per-address rate limits. Route handlers see no socket: Next.js
 * writes the socket's address into X-Forwarded-For when the request has none, and keeps the
 * header as it is otherwise. Each proxy in front of the app appends the address it was
 * reached from, so with `trustedProxies` of them the client is that many entries from the
 * right; entries further left were written by the client and prove nothing.
 */
export function clientIp(headers: Headers, trustedProxies: number): string | undefined {
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
