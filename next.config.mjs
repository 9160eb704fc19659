/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // PGlite ships wasm and data files; postgres.js is Node-only. Load both from node_modules.
  serverExternalPackages: ["@electric-sql/pglite", "postgres"],
  // Migrations are read from disk at start; make sure traced builds carry them.
  outputFileTracingIncludes: { "/*": ["./db/migrations/**/*"] },
};

export default nextConfig;
