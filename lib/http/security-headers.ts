/**
 * Security headers. Every response gets the static ones (next.config.mjs `headers()`); pages
 * also get a Content-Security-Policy with a fresh nonce (proxy.ts), which Next.js puts on its
 * own scripts. The /lite page sets its own, stricter policy (lib/html/lite-page.ts).
 *
 * Plain module, no imports: next.config.mjs loads it before any bundling.
 */

/** On every response, pages and API alike. */
export const STATIC_SECURITY_HEADERS = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
];

/**
 * The page policy. Scripts: only those carrying this response's nonce, and what they load
 * ('strict-dynamic'), so markup injected by model output cannot run. Styles may be inline
 * (React style attributes; CSS cannot run script). Images only from here: a link or image in
 * an answer cannot carry data to another site. `'unsafe-eval'` only in development (React's
 * debugging uses eval).
 */
export function pageCsp(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
