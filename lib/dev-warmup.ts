/**
 * `next dev` compiles a route the first time it is asked for: a new user's first visit waited
 * seconds on "Compiling…" for each page, and their first message for the send and poll
 * routes. In development only, once the server answers, this asks for the main pages and the
 * routes a first conversation uses, one after the other, so they are compiled before anyone
 * comes. Unauthenticated requests: they compile the route and change nothing.
 */
const PAGES = ["/signin", "/signup", "/chat", "/"];
const NIL = "00000000-0000-7000-8000-000000000000";
const ROUTES: Array<[method: string, path: string]> = [
  ["GET", "/api/models"],
  ["GET", "/api/agents"],
  ["GET", "/chat/list"],
  ["POST", "/chat/create"],
  ["POST", `/chat/${NIL}/send`],
  ["GET", `/chat/${NIL}/messages`],
  ["GET", `/chat/message/${NIL}/tokens/0`],
  ["GET", `/chat/${NIL}`],
];

export interface WarmupOptions {
  baseUrl: string;
  /** Gives up waiting for the server after this long. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

/** Resolves with the paths it asked for, once all were answered (or on giving up). */
export async function warmRoutes({ baseUrl, timeoutMs = 120_000, fetchImpl = fetch }: WarmupOptions): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const ask = (method: string, path: string) =>
    fetchImpl(new URL(path, baseUrl), { method, redirect: "manual", headers: { "x-pollchat-warmup": "1" }, signal: AbortSignal.timeout(90_000) }).then(
      (res) => res.body?.cancel(),
    );
  for (;;) {
    try {
      await ask("GET", "/api/health");
      break;
    } catch {
      if (Date.now() > deadline) return [];
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const done: string[] = [];
  for (const [method, path] of [...PAGES.map((p): [string, string] => ["GET", p]), ...ROUTES]) {
    try {
      await ask(method, path);
      done.push(path);
    } catch {
      // A route that fails to compile shows its error when someone visits it.
    }
  }
  return done;
}

/** From instrumentation's register(), in `next dev` only (it checks): in the background. */
export function startDevWarmup(): void {
  // `next dev -p` or PORT: Next's own, read before the app loads (SERVER_VARIABLES in lib/env.ts).
  const port = process.env.PORT || "3000";
  void warmRoutes({ baseUrl: `http://localhost:${port}` }).then((done) => {
    if (done.length > 0) console.log(`   Warmed ${done.length} routes: the first visits need no compiling.`);
  });
}
