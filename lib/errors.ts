/**
 * One typed error for everything a client can be told. The status derives from the
 * code; `toResponse()` gives the documented JSON shape {"error": {code, message}}.
 */
const STATUS = {
  bad_request: 400,
  invalid_json: 400,
  validation_error: 400,
  unauthorized: 401,
  forbidden: 403,
  account_disabled: 403,
  not_found: 404,
  unknown_last_message: 404,
  method_not_allowed: 405,
  conflict: 409,
  email_taken: 409,
  generation_in_progress: 409,
  not_awaiting_approval: 409,
  payload_too_large: 413,
  storage_full: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof STATUS;

export class AppError extends Error {
  override name = "AppError";
  readonly code: ErrorCode;
  readonly status: number;
  /** Seconds, for 429 and 503. */
  readonly retryAfter?: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, opts: { retryAfter?: number; details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.code = code;
    this.status = STATUS[code];
    this.retryAfter = opts.retryAfter;
    this.details = opts.details;
  }

  toJSON() {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
        ...(this.retryAfter === undefined ? {} : { retryAfter: this.retryAfter }),
      },
    };
  }

  headers(): Record<string, string> {
    const h: Record<string, string> = {};
    if (this.retryAfter !== undefined) h["Retry-After"] = String(Math.max(1, Math.ceil(this.retryAfter)));
    // The rest of an oversized body is never read: close rather than leave it on a kept-alive connection.
    if (this.code === "payload_too_large") h.Connection = "close";
    return h;
  }

  toResponse(): Response {
    return Response.json(this.toJSON(), { status: this.status, headers: this.headers() });
  }
}

export const notFound = (what = "Not found.") => new AppError("not_found", what);
