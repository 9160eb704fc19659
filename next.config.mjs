import { STATIC_SECURITY_HEADERS } from "./lib/http/security-headers.ts";
import { POLL_ROUTES } from "./lib/http/poll-routes.ts";

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // A self-contained server in .next/standalone (node server.js): what `npm start`, the
  // container and a Node host run. scripts/postbuild.mjs adds static files and migrations.
  output: "standalone",
  reactStrictMode: true,
  // PGlite ships wasm and data files; postgres.js is Node-only. Load both from node_modules.
  serverExternalPackages: ["@electric-sql/pglite", "postgres"],
  // Bundled (not loaded from node_modules at run time), so that the alias below applies to it.
  transpilePackages: ["server-only"],
  // Server modules import "server-only": a browser bundle that reaches one fails to build (Next's
  // own check), and on the server it is the empty module in every layer. The Pages API polls
  // are server code that Next does not bundle under React's server condition.
  turbopack: {
    resolveAlias: {
      "server-only": { browser: "./node_modules/server-only/index.js", default: "./node_modules/server-only/empty.js" },
    },
  },
  // Migrations are read from disk at start; make sure traced builds carry them.
  outputFileTracingIncludes: { "/*": ["./db/migrations/**/*"] },
  // On every response; pages also get a CSP with a nonce from proxy.ts.
  async headers() {
    return [{ source: "/:path*", headers: STATIC_SECURITY_HEADERS }];
  },
  // The polls are Pages API routes (cheaper than route handlers: docs/design.md §8),
  // served at their contract paths. afterFiles: no app route has those paths.
  async rewrites() {
    return { afterFiles: POLL_ROUTES.map(({ source, destination }) => ({ source, destination })) };
  },
};

export default nextConfig;
