/**
 * In-process metrics in the Prometheus text format (GET /api/metrics). Each process counts
 * its own requests and generations: scrape every instance and sum them. (On Vercel a
 * function instance lives briefly; use traces there, not these counters.)
 */

type Labels = Record<string, string>;

interface Series {
  labels: Labels;
  value: number;
}

interface HistogramSeries {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

interface Registry {
  counters: Map<string, { help: string; series: Map<string, Series> }>;
  histograms: Map<string, { help: string; buckets: number[]; series: Map<string, HistogramSeries> }>;
  gauges: Map<string, { help: string; value: () => number }>;
  running: number;
}

// One registry per process, shared by Next's separate bundles (instrumentation, routes).
const g = globalThis as unknown as { __pollchatMetrics?: Registry };
const registry: Registry = (g.__pollchatMetrics ??= { counters: new Map(), histograms: new Map(), gauges: new Map(), running: 0 });

const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

function counter(name: string, help: string) {
  let c = registry.counters.get(name);
  if (!c) registry.counters.set(name, (c = { help, series: new Map() }));
  const metric = c;
  return (labels: Labels, by = 1) => {
    if (!(by >= 0) || !Number.isFinite(by)) return;
    const k = key(labels);
    const s = metric.series.get(k);
    if (s) s.value += by;
    else metric.series.set(k, { labels, value: by });
  };
}

function histogram(name: string, help: string, buckets: number[]) {
  let h = registry.histograms.get(name);
  if (!h) registry.histograms.set(name, (h = { help, buckets, series: new Map() }));
  const metric = h;
  return (labels: Labels, value: number) => {
    const k = key(labels);
    let s = metric.series.get(k);
    if (!s) metric.series.set(k, (s = { labels, counts: metric.buckets.map(() => 0), sum: 0, count: 0 }));
    for (const [i, le] of metric.buckets.entries()) if (value <= le) s.counts[i]!++;
    s.sum += value;
    s.count++;
  };
}

function gauge(name: string, help: string, value: () => number): void {
  registry.gauges.set(name, { help, value });
}

// ------------------------------------------------------------------------------ the metrics

const httpRequests = counter("pollchat_http_requests_total", "HTTP requests answered by the route handlers, by route, method and status.");
const pollDuration = histogram(
  "pollchat_poll_duration_seconds",
  "Time to answer a poll (the messages and tokens endpoints), by route.",
  [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
);
const generations = counter(
  "pollchat_generations_total",
  "Generation attempts run by this process, by how they ended: completed, failed, cancelled, stopped (cancelled or taken over elsewhere), handed_over (shutdown or time budget).",
);
const outputTokens = counter("pollchat_generated_tokens_total", "Output tokens reported by the model (usage), by model.");
const outputChars = counter("pollchat_generated_characters_total", "Characters (code points) of generated text, by model.");
const pollCache = counter(
  "pollchat_poll_cache_lookups_total",
  "Lookups in the polls' in-memory caches (docs/design.md §8.3), by cache and result: hit (answered without SQL) or miss; a miss answered by a read another request had under way also counts as shared (reads = miss - shared).",
);
/** A lookup in one of the change caches (lib/changes/cache.ts). */
export function pollCacheLookup(cache: string, hit: boolean): void {
  pollCache({ cache, result: hit ? "hit" : "miss" });
}
/** A miss answered by a read of the same key already under way. */
export function pollCacheShared(cache: string): void {
  pollCache({ cache, result: "shared" });
}
gauge("pollchat_generations_in_progress", "Generations running in this process now.", () => registry.running);
gauge("process_resident_memory_bytes", "Resident memory size in bytes.", () => process.memoryUsage.rss());
// V8's own view, to tell a leak (live objects growing) from the heap sizing itself up under load.
gauge("nodejs_heap_size_used_bytes", "V8 heap in use, in bytes.", () => process.memoryUsage().heapUsed);
gauge("nodejs_heap_size_total_bytes", "V8 heap reserved, in bytes.", () => process.memoryUsage().heapTotal);
gauge("nodejs_external_memory_bytes", "Memory of C++ objects bound to JavaScript objects (buffers included), in bytes.", () => process.memoryUsage().external);
const startSeconds = Math.round(Date.now() / 1000 - process.uptime());
gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.", () => startSeconds);

const POLL_ROUTE = /^\/chat\/(\[uuid\]\/messages|message\/\[uuid\]\/tokens\/)/;

export const metrics = {
  request(input: { route: string; method: string; status: number; seconds: number }): void {
    httpRequests({ route: input.route, method: input.method, status: String(input.status) });
    if (input.method === "GET" && POLL_ROUTE.test(input.route)) pollDuration({ route: input.route }, input.seconds);
  },
  generationStarted(): void {
    registry.running++;
  },
  generationEnded(input: { outcome: "completed" | "failed" | "cancelled" | "stopped" | "handed_over"; model: string; characters: number; outputTokens?: number }): void {
    registry.running = Math.max(0, registry.running - 1);
    generations({ outcome: input.outcome });
    if (input.characters > 0) outputChars({ model: input.model }, input.characters);
    if (input.outputTokens) outputTokens({ model: input.model }, input.outputTokens);
  },
  /** A generation ended failed without a runner (its servers kept dying). */
  generationExhausted(): void {
    generations({ outcome: "failed" });
  },
};

// ------------------------------------------------------------------------------ exposition

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const num = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? "+Inf" : v < 0 ? "-Inf" : "NaN");

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  return pairs.length ? `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}` : "";
}

/** Everything, in the Prometheus text exposition format (version 0.0.4). */
export function renderMetrics(): string {
  const out: string[] = [];
  for (const [name, c] of registry.counters) {
    out.push(`# HELP ${name} ${escapeHelp(c.help)}`, `# TYPE ${name} counter`);
    for (const s of c.series.values()) out.push(`${name}${labelText(s.labels)} ${num(s.value)}`);
  }
  for (const [name, h] of registry.histograms) {
    out.push(`# HELP ${name} ${escapeHelp(h.help)}`, `# TYPE ${name} histogram`);
    for (const s of h.series.values()) {
      for (const [i, le] of h.buckets.entries()) out.push(`${name}_bucket${labelText(s.labels, ["le", String(le)])} ${s.counts[i]}`);
      out.push(`${name}_bucket${labelText(s.labels, ["le", "+Inf"])} ${s.count}`);
      out.push(`${name}_sum${labelText(s.labels)} ${num(s.sum)}`, `${name}_count${labelText(s.labels)} ${s.count}`);
    }
  }
  for (const [name, gv] of registry.gauges) {
    out.push(`# HELP ${name} ${escapeHelp(gv.help)}`, `# TYPE ${name} gauge`, `${name} ${num(gv.value())}`);
  }
  return out.join("\n") + "\n";
}

/**
 * The route template of a request, e.g. `/chat/[uuid]/messages/[last_uuid]`: the path with
 * each dynamic segment replaced by its name, so labels stay few whatever clients send.
 */
export function routeTemplate(pathname: string, params: Record<string, string | string[] | undefined>): string {
  const names = new Map<string, string>();
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) if (!names.has(v)) names.set(v, name);
  }
  const segments = pathname.split("/").map((seg) => {
    let decoded = seg;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      // keep it raw
    }
    const name = names.get(decoded);
    return name === undefined ? seg : `[${name}]`;
  });
  return segments.join("/") || "/";
}
