/**
 * Every route of the app, read from the files under app/: each `route.ts` with the HTTP
 * methods it exports, each `page.tsx` (GET); and the polls under pages/api at the contract
 * paths they are rewritten from. Tests derive their tables from this, so a new route file
 * cannot be left out of them.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "./app-server.ts";
import { POLL_ROUTES } from "../../lib/http/poll-routes.ts";

export interface AppRoute {
  /** "GET /chat/[uuid]/messages" */
  key: string;
  method: string;
  /** URL template with the folder names of dynamic segments: /chat/[uuid]/messages */
  template: string;
  kind: "page" | "route";
  file: string;
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full) : [full];
  });
}

/** app/chat/(group)/[uuid]/send/route.ts -> /chat/[uuid]/send; private folders (_x) are no routes. */
export function templateOf(relativeDir: string): string | undefined {
  const segments = relativeDir.split(path.sep).filter(Boolean);
  if (segments.some((s) => s.startsWith("_") || s.startsWith("@"))) return undefined;
  return "/" + segments.filter((s) => !/^\(.*\)$/.test(s)).join("/");
}

/** The HTTP methods a route file exports: `export const GET =`, `export async function POST`, `export const { GET, POST } =`. */
export function exportedMethods(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/export\s+(?:async\s+)?(?:function\s+|const\s+|let\s+)([A-Z]+)\b/g)) found.add(m[1]!);
  for (const m of source.matchAll(/export\s+const\s*\{([^}]*)\}\s*=/g)) {
    for (const name of m[1]!.split(",")) found.add(name.split(":").pop()!.trim());
  }
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const name of m[1]!.split(",")) found.add(name.split(/\s+as\s+/).pop()!.trim());
  }
  return METHODS.filter((x) => found.has(x));
}

/**
 * The Pages API routes (pages/api): each must be one of the polls in lib/http/poll-routes.ts,
 * listed under the contract path it serves (a rewrite). GET only.
 */
function pagesRoutes(root: string): AppRoute[] {
  const pagesDir = path.join(root, "pages");
  if (!existsSync(pagesDir)) return [];
  return walk(pagesDir).map((file) => {
    const relative = path.relative(root, file).split(path.sep).join("/");
    const poll = POLL_ROUTES.find((r) => r.file === relative);
    if (!poll) throw new Error(`${relative} is a Pages Router route that lib/http/poll-routes.ts does not list`);
    return { key: `GET ${poll.template}`, method: "GET", template: poll.template, kind: "route" as const, file: relative };
  });
}

export function appRoutes(root = projectRoot): AppRoute[] {
  const appDir = path.join(root, "app");
  const routes: AppRoute[] = [...pagesRoutes(root)];
  for (const file of walk(appDir)) {
    const name = path.basename(file);
    const isPage = /^page\.(tsx|ts|jsx|js)$/.test(name);
    const isRoute = /^route\.(ts|js)$/.test(name);
    if (!isPage && !isRoute) continue;
    const template = templateOf(path.relative(appDir, path.dirname(file)));
    if (template === undefined) continue;
    const methods = isPage ? ["GET"] : exportedMethods(readFileSync(file, "utf8"));
    if (methods.length === 0) throw new Error(`${file} exports no HTTP method that the route table can read`);
    for (const method of methods) {
      routes.push({ key: `${method} ${template}`, method, template, kind: isPage ? "page" : "route", file: path.relative(root, file) });
    }
  }
  return routes.sort((a, b) => a.key.localeCompare(b.key));
}
