/**
 * Helpers of the hostile-input tests: every endpoint of the app (read from the route and page
 * files under app/, so a new route is fuzzed without anyone remembering to add it), fast-check
 * arbitraries for what an attacker or a broken client sends, and a raw HTTP client that sends
 * paths and bodies byte for byte (fetch would normalise `../` and refuse some of them).
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import fc from "fast-check";
import { projectRoot } from "./app-server.ts";
import { appRoutes, type AppRoute } from "./app-routes.ts";

export interface Endpoint {
  /** e.g. /chat/[uuid]/send */
  template: string;
  methods: string[];
  /** Route handlers under our guard (lib/http/route.ts) answer errors as {"error": {code, message}}. */
  json: boolean;
  /** Methods whose guard options name a body schema: they read (and limit) the body. */
  bodyMethods: string[];
  page: boolean;
}

/**
 * Every route handler and page under app/ (test/support/app-routes.ts, which the access-control
 * table uses too), grouped by template, with what the fuzzer needs to know of each.
 */
export function discoverEndpoints(): Endpoint[] {
  const byTemplate = new Map<string, AppRoute[]>();
  for (const r of appRoutes()) byTemplate.set(r.template, [...(byTemplate.get(r.template) ?? []), r]);
  return [...byTemplate.entries()]
    .map(([template, routes]): Endpoint => {
      const first = routes[0]!;
      if (first.kind === "page") return { template, methods: ["GET"], json: false, bodyMethods: [], page: true };
      const source = readFileSync(path.join(projectRoot, first.file), "utf8");
      // Our guard answers JSON errors; Auth.js, the htmx page and the static script do not go through it.
      const json = /from "@\/lib\/http\/(route|pages-route)"/.test(source);
      const bodyMethods = [...source.matchAll(/export\s+const\s+(GET|POST|PUT|PATCH|DELETE)\s*=\s*(?:route|publicRoute)\(\{([^}]*)\}/g)]
        .filter((m) => /\bbody\b/.test(m[2]!))
        .map((m) => m[1]!);
      return { template, methods: routes.map((r) => r.method).sort(), json, bodyMethods, page: false };
    })
    .sort((a, b) => a.template.localeCompare(b.template));
}

export function paramsOf(template: string): string[] {
  return [...template.matchAll(/\[(?:\.\.\.)?([^\]]+)\]/g)].map((m) => m[1]!);
}

export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, (_, name: string) => values[name] ?? "x");
}

// ------------------------------------------------------------------ arbitraries

const LONE_SURROGATES = ["\uD800", "\uDFFF", "a\uD83D", "\uDE00b"];

/** Strings that have broken servers before. */
export const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  ...LONE_SURROGATES,
  "😀",
  "e\u0301",
  "\u202Eevil",
  "\uFEFF",
  "\r\n",
  "../",
  "../../etc/passwd",
  "..%2f..%2fetc%2fpasswd",
  "%2e%2e",
  "%2e%2e%2f",
  "%00",
  "%ff",
  "%",
  "%%",
  "1e309",
  "-1e309",
  "-0",
  "-1",
  "0x10",
  "NaN",
  "Infinity",
  "9007199254740993",
  "99999999999999999999999999999999",
  "2147483648",
  "' or 1=1--",
  "'; drop table chat; --",
  "\\",
  "null",
  "undefined",
  "true",
  "[object Object]",
  "__proto__",
  "constructor",
  "<script>alert(1)</script>",
  "${7*7}",
  "00000000-0000-0000-0000-000000000000",
  "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
  "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3d\u0000",
  "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3d/../x",
  "x".repeat(5_000),
];

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom("\u0000", "\uD800", "\uDC00", "😀", "a", "%", "/", "'", '"', "\\"), maxLength: 30 }) },
  // Up to 32 KB: bigger bodies are the 10 MB test's (a server may answer before reading a body,
  // and a client still writing a large one then sees the connection close instead of the answer).
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 16_000 }).map((n) => "é".repeat(n)) },
);

/** JSON values of every type, including the ones JSON.stringify cannot produce (written raw). */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -0, 1.5, -1, 2 ** 53 + 2, Number.MAX_VALUE, 1e308, [], {}, [null]) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(nastyString, { maxLength: 3 }) },
);

/** The fields our endpoints read, so that wrong values reach the validation of each one. */
export const FIELDS = ["content", "uuid", "model", "title", "agent", "status", "messageUuid", "email", "password", "name", "csrfToken", "callbackUrl"];

export interface BodySpec {
  contentType?: string;
  body: string | Buffer;
}

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=utf-16",
  "application/x-www-form-urlencoded",
  "text/plain",
  "text/html",
  "multipart/form-data; boundary=xyz",
  "application/xml",
  "application/vnd.api+json",
  "a/b/c",
  ";;;",
];

const objectOfFields = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), nastyString), nastyValue, { maxKeys: 5 });

export const nastyBody: fc.Arbitrary<BodySpec | undefined> = fc.oneof(
  fc.constant(undefined),
  objectOfFields.map((o) => ({ contentType: "application/json", body: JSON.stringify(o) })),
  objectOfFields.map((o) => {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(o)) form.append(k, typeof v === "string" ? v : JSON.stringify(v) ?? "");
    return { contentType: "application/x-www-form-urlencoded", body: form.toString() };
  }),
  fc.record({
    contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { nil: undefined }),
    body: fc.oneof(
      fc.constantFrom(
        "{",
        "{}}",
        "[1,2]",
        "null",
        '"just a string"',
        "1e309",
        '{"content": 1e309}',
        '{"content": 9007199254740993, "uuid": -0}',
        '{"content": "\\u0000", "title": "\\ud800"}',
        '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}',
        "[".repeat(10_000) + "]".repeat(10_000),
        '{"a":'.repeat(4_000) + "1" + "}".repeat(4_000),
        "content=%00&uuid=%ff&model=%",
        "content=a&content=b&content[]=c",
      ),
      nastyString,
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
    ),
  }),
);

/** Query strings, for the endpoints that read one (chat list, lite page, ops). */
export const nastyQuery: fc.Arbitrary<string> = fc.oneof(
  fc.constant(""),
  fc
    .dictionary(fc.constantFrom("limit", "cursor", "status", "q", "chat", "leaseGraceMs", "callbackUrl", "error"), nastyString, { minKeys: 1, maxKeys: 3 })
    .map((o) => `?${new URLSearchParams(o).toString()}`),
  fc.constantFrom("?limit=1e309", "?limit=-0", "?limit=9007199254740993", "?cursor=MjAyNC0wMS0wMVQwMDowMDowMC4wMDBafG5vdC1hLXV1aWQ", "?q=%00", "?q=%ff", "?%", "?a=%zz"),
);

/** A path segment as sent: percent-encoded (reaches the route's params) or raw (may reach another route, or none). */
export function segment(value: string, raw: boolean): string {
  // node:http refuses unescaped control characters and non-ASCII in a path.
  if (raw && /^[\x21-\x7e]*$/.test(value) && !/[?#]/.test(value)) return value;
  return encodeURIComponent(value.toWellFormed());
}

// ------------------------------------------------------------------ raw HTTP

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

/**
 * One request with no normalisation of the path and the body sent as given (a Readable is sent
 * chunked, with no Content-Length). Rejects when no complete answer arrives within `timeoutMs`.
 * Like a browser, it stops sending a body once the server has answered (a 413 comes before the
 * server has read it all, and the server then closes the connection): headers go first, a
 * large body only after a moment in which an early answer may arrive.
 */
export function rawRequest(
  baseUrl: string,
  req: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer | Readable; timeoutMs: number },
): Promise<RawResponse> {
  const base = new URL(baseUrl);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let answered = false;
    const r = http.request(
      { host: base.hostname, port: base.port, method: req.method, path: req.path, headers: req.headers, agent: false },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8"), ms: performance.now() - started });
          r.destroy();
        });
        res.on("error", reject);
      },
    );
    r.setTimeout(req.timeoutMs, () => r.destroy(new Error(`no answer within ${req.timeoutMs} ms: ${req.method} ${req.path.slice(0, 200)}`)));
    r.on("error", (err) => {
      if (!answered) reject(err);
    });
    const body = req.body;
    if (body === undefined || (typeof body === "string" ? Buffer.byteLength(body) : body instanceof Buffer ? body.byteLength : Infinity) < 64 * 1024) {
      r.end(body);
      return;
    }
    r.flushHeaders();
    void (async () => {
      // With a declared length the server can refuse at once; a chunked body it must read first.
      const early = Date.now() + (body instanceof Readable ? 0 : 10_000);
      while (!answered && Date.now() < early) await new Promise((w) => setTimeout(w, 20));
      const chunks = body instanceof Readable ? body : Readable.from(chunked(typeof body === "string" ? Buffer.from(body) : body));
      for await (const chunk of chunks) {
        if (answered || r.destroyed) return;
        if (!r.write(chunk as Buffer)) await new Promise((d) => r.once("drain", d));
      }
      if (!answered && !r.destroyed) r.end();
    })().catch(() => {});
  });
}

function* chunked(buffer: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let i = 0; i < buffer.byteLength; i += size) yield buffer.subarray(i, i + size);
}

/** `size` bytes of JSON-looking text, streamed in 64 KB chunks. */
export function hugeBody(size: number): Readable {
  const chunk = Buffer.alloc(64 * 1024, "a");
  let sent = 0;
  return new Readable({
    read() {
      if (sent === 0) {
        sent += 12;
        this.push('{"content":"');
        return;
      }
      if (sent >= size) {
        this.push(null);
        return;
      }
      const n = Math.min(chunk.length, size - sent);
      sent += n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}
