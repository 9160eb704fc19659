import { AppError } from "../errors";

export const DEFAULT_MAX_BODY_BYTES = 512 * 1024;

/** Form fields that may come several times; any other repeated field keeps its last value. */
const REPEATED_FORM_FIELDS = ["attachments"];

/** Reads at most `limit` bytes; a larger body is refused (413) without buffering the rest. */
export async function readLimitedBytes(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}

function tooLarge(limit: number) {
  return new AppError("payload_too_large", `The request body is larger than ${Math.round(limit / 1024)} KB.`);
}

/**
 * The body as a plain object: JSON, or a form (HTMX and plain HTML forms post
 * application/x-www-form-urlencoded). An empty body is {}.
 */
export async function readBody(req: Request, limit = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const raw = (await readLimitedBytes(req, limit)).toString("utf8");
  if (type === "application/x-www-form-urlencoded") {
    const form = new URLSearchParams(raw);
    const out: Record<string, string | string[]> = Object.fromEntries(form);
    // A field a form repeats (files sent with a message: docs/design.md §3.13) keeps every value.
    for (const key of REPEATED_FORM_FIELDS) if (form.getAll(key).length > 1) out[key] = form.getAll(key);
    return out;
  }
  if (raw.trim() === "") return {};
  if (type === "" || type === "application/json" || type.endsWith("+json") || type === "text/plain") {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw new AppError("invalid_json", "The request body is not valid JSON.");
    }
  }
  throw new AppError(
    "unsupported_media_type",
    "Send the body as application/json or application/x-www-form-urlencoded.",
  );
}
