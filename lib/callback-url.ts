/**
 * Where to go after signing in: the `callbackUrl` is parsed as a URL against this site and kept
 * only when it stays on this site; anything else (another origin, `//host`, `/\host`, a path
 * with tabs or newlines that browsers drop, a non-http scheme) becomes `/`. What is kept is
 * re-serialized by the URL parser, so it is plain ASCII (safe in a Location header).
 * Isomorphic: the sign-in page (server) and its form (browser) both use it.
 */
const BASE = "http://callback.invalid";

export function safeCallback(raw: string | string[] | undefined | null): string {
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (!v || !v.startsWith("/")) return "/";
  let url: URL;
  try {
    url = new URL(v, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  // "/.//evil.example" parses to the path "//evil.example", which a browser reads as a host.
  const path = url.pathname.replace(/^\/{2,}/, "/");
  return `${path}${url.search}${url.hash}`;
}
