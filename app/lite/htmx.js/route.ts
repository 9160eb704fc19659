/**
 * Serves htmx (htmx.org from node_modules) to the /lite page, so it needs neither a CDN nor a
 * copy in public/. Rendered once at build time (force-static): the file ends up in the build
 * output, and `next start` serves it without reading node_modules. The page links it with the
 * version in the query (`?v=`), so browsers may cache it for good.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

export const dynamic = "force-static";

// `next build` runs in the project root. (Not require.resolve: the bundler would turn it into
// a module id.)
const HTMX_FILE = ["node_modules", "htmx.org", "dist", "htmx.min.js"];

export async function GET(): Promise<Response> {
  // A missing htmx fails the build, rather than shipping a page that cannot work.
  const source = await readFile(path.join(/*turbopackIgnore: true*/ process.cwd(), ...HTMX_FILE), "utf8");
  return new Response(source, {
    headers: {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=31536000, immutable",
      "x-content-type-options": "nosniff",
    },
  });
}
