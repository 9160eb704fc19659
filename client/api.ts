/**
 * fetch for the JSON API: every answer that is not 2xx becomes an ApiError carrying the
 * documented {"error": {code, message}} and, for 429 and 503, Retry-After in seconds.
 * Network failures become ApiError with code "network" (and feed the offline badge).
 */
import { reportNetworkFailure, reportNetworkSuccess } from "./connection";

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  get network(): boolean {
    return this.code === "network";
  }
}

interface ApiInit {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  json?: unknown;
  signal?: AbortSignal;
}

function parseRetryAfter(header: string | null, body: unknown): number | undefined {
  if (header) {
    const secs = Number(header);
    if (Number.isFinite(secs)) return Math.max(0, secs);
    const at = Date.parse(header);
    if (!Number.isNaN(at)) return Math.max(0, Math.ceil((at - Date.now()) / 1000));
  }
  const fromBody = (body as { error?: { retryAfter?: unknown } } | null)?.error?.retryAfter;
  return typeof fromBody === "number" ? fromBody : undefined;
}

export async function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? "GET",
      headers: init.json === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
      signal: init.signal,
      cache: "no-store",
      credentials: "same-origin",
    });
  } catch (err) {
    if (init.signal?.aborted) throw err;
    reportNetworkFailure();
    throw new ApiError(0, "network", "The network is not answering. We will keep trying.");
  }
  reportNetworkSuccess();
  const body: unknown = await res.json().catch(() => null);
  if (res.ok) return body as T;
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === "string" ? error.code : `http_${res.status}`;
  const message = typeof error?.message === "string" ? error.message : `The server answered ${res.status}. Try again.`;
  if (res.status === 401 && typeof window !== "undefined") {
    // The session ended (signed out in another tab, or expired): sign in again, then come back.
    window.location.assign(`/signin?callbackUrl=${encodeURIComponent(window.location.pathname)}`);
  }
  throw new ApiError(res.status, code, message, parseRetryAfter(res.headers.get("retry-after"), body));
}
