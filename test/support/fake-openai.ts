/**
 * A fake model server for tests and benchmarks: OpenAI's Chat Completions API
 * (POST /v1/chat/completions) and Anthropic's Messages API (POST /v1/messages).
 *
 * Real HTTP (node:http), real SSE. Behaviour is scripted by a directive inside
 * the LAST user message (tool results are not user messages, in either API):
 *
 *   [[fake key=value key="value with spaces" ...]]
 *
 * Keys (all optional):
 *   text=STR            exact text to stream (escapes: \n \t \\ \" \uXXXX)
 *   repeat=N            repeat the text N times (default 1)
 *   unicode=1           stream UNICODE_TEXT (emoji, ZWJ, flags, CJK, combining, RTL, astral math); wins over text=
 *   chunk=N             UTF-16 code units per chunk (default 5); surrogate pairs are kept whole...
 *   split_surrogates=1  ...unless this is set: then chunks cut through surrogate pairs (lone surrogates
 *                       end up as \udXXX escapes in the JSON)
 *   delay=MS            delay between chunks (default 5)
 *   ttft=MS             delay before the first chunk (default 0); headers are sent immediately
 *   tps=N               chunks per second (delay = 1000/N, drift-free scheduling); overrides delay
 *   status=CODE         answer with an error of that HTTP status (OpenAI's or Anthropic's JSON shape)
 *   retry_after=S       Retry-After header value (sent with 429/503 with default 1, or whenever given)
 *   fail_times=N        only the first N requests carrying this exact directive fail (status defaults to 500)
 *   cut_after=N         after N chunks destroy the socket (no finish chunk, no [DONE] / message_stop)
 *   stall_after=N       after N chunks send nothing more, until the client aborts or the server closes
 *   malformed_after=N   after N chunks send `data: {not json` and end the response
 *   usage_prompt=N      reported prompt/input tokens (default ceil(total message chars / 4))
 *   usage_completion=N  reported completion/output tokens (default: number of chunks)
 *   require_auth=KEY    401 unless `Authorization: Bearer KEY` (Anthropic: `x-api-key: KEY`)
 *   no_continue=1       refuse (400) a request to continue an interrupted answer (below)
 *   echo=1              stream the text of the last user message (all its text parts, this
 *                       directive left out): what the model was given, e.g. a file's text
 *
 * Reasoning and tools (both APIs; "chunks" above count reasoning and tool-call chunks too, so
 * that e.g. `reasoning=... tps=2 cut_after=3` kills an answer while it thinks):
 *   reasoning=STR       stream this reasoning before the text (and before tool calls), with the
 *                       same chunk/delay/tps, in every response of the turn (every step thinks).
 *                       Chat Completions: `delta.reasoning_content` (DeepSeek, vLLM, llama.cpp).
 *                       Messages: a `thinking` block (thinking_delta chunks, then one
 *                       signature_delta), ONLY when the request asks for it with
 *                       `thinking: {type: "enabled" | "adaptive"}`, as Anthropic does.
 *   tool=NAME           call tool NAME, unless the request already holds that call's result:
 *                       Chat Completions: a `role: "tool"` message with `tool_call_id` = its id;
 *                       Messages: a `tool_result` block with `tool_use_id` = its id.
 *                       Then (all results there) it streams `text`, where `{{tool_output}}` is
 *                       replaced by the call's result (a string, or the text of its parts).
 *   tool_input=JSON     the call's arguments, a JSON object (default {}); streamed over several
 *                       chunks (`function.arguments` / `input_json_delta`), `chunk` units each
 *   tool_id=ID          the call's id (default call_1; Messages: toolu_fake_1)
 *   tool_text=STR       text streamed (after reasoning) before the tool call(s), as a preamble
 *   tool2=NAME          a second call in the same response (index 1; id call_2 / toolu_fake_2)
 *   tool2_input=JSON    its arguments (default {})
 *   tool_then=NAME      once the first results are in, call this tool (id call_3 / toolu_fake_3)
 *                       instead of answering; after its result, answer with `text`
 *   tool_then_input=JSON its arguments (default {})
 *   tool_unchecked=1    do not check that the request offers the tool; by default a request
 *                       that would get a call of a tool it does not offer in `tools` gets a 400
 *   In `text`: {{tool_output}} = the result of the last call of the turn (tool_then's when
 *   given, else tool's); {{tool_output_1}}, {{tool_output_2}}, {{tool_output_3}} = the results
 *   of tool, tool2 and tool_then. A call's stop is `finish_reason: "tool_calls"` /
 *   `stop_reason: "tool_use"`; a text answer's `"stop"` / `"end_turn"`.
 *
 * Continuing an interrupted answer (docs/design.md §5.3), as the servers it stands for do:
 * with `continue_final_message: true` and a final assistant message (vLLM's prefill; on the
 * Messages API a final assistant message is always a prefill), it streams the rest of the
 * scripted text after that message; for a final user turn that asks to "continue it exactly
 * where it stopped" after an assistant message (the instruction), the directive is read from
 * the user message before, and like a real model it repeats the last words it had written
 * before going on.
 *
 * Files (docs/design.md §3.13): images and PDFs in the last user message (Chat Completions:
 * `image_url` parts and `file` parts with `file_data`; Messages: `image` and `document` blocks;
 * base64 data URLs or sources) are decoded and recorded (`files` on the recorded message). The
 * answer then says what only a model that got the bytes could: for each file "<media type>,
 * <byte length> bytes, sha256 <first 12 hex of the SHA-256 of the decoded bytes>", joined by
 * "; ". By default it follows the default answer as " Files: <that>."; in `text` it goes where
 * `{{files}}` is (none: "no files").
 *
 * Without a directive, it streams "Hello from the fake model. You said: <first 40 code points
 * of the message>" in chunks of 5, 5 ms apart. Unknown keys or bad values give a 400.
 * The Messages API answers only streaming requests (`stream: true`); others get a 400.
 * Every request is recorded (`requests`, or GET /_test/requests from another process) in one
 * shape for both APIs: Anthropic's `system` as a first system message, its `tool_result`
 * blocks as `role: "tool"` messages with `toolCallId`.
 *
 * Only erasable TypeScript syntax is used so that plain `node` (type stripping) can run it.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface RecordedMessage {
  /** system, user, assistant or tool (Anthropic's tool_result blocks are recorded as tool messages). */
  role: string;
  /** The text: a string content, or the text of its text parts (tool calls and thinking left out). */
  content: string;
  /** For a tool message: the id of the call it answers. */
  toolCallId?: string;
  /** For an assistant message that called tools: those calls. */
  toolCalls?: { id: string; name: string }[];
  /** The images and files (PDFs) it carried, decoded. */
  files?: RecordedFile[];
}

export interface RecordedFile {
  /** An image part, or a file (document) part. */
  kind: "image" | "file";
  mediaType: string;
  /** Decoded bytes; -1 for a file given by URL (not fetched). */
  bytes: number;
  /** Hex SHA-256 of the decoded bytes ("" for a URL). */
  sha256: string;
  filename?: string;
  /** A file given by URL instead of its bytes. */
  url?: string;
}

export interface RecordedRequest {
  /** Which API it came to: "openai" (/v1/chat/completions) or "anthropic" (/v1/messages). */
  api: "openai" | "anthropic";
  model: string;
  messages: RecordedMessage[];
  /** Names of the tools the request offers (its `tools`), in order. */
  tools: string[];
  stream: boolean;
  streamOptions?: unknown;
  /** Anthropic: the request's `thinking` (e.g. {type: "enabled", budget_tokens: 1024}), when sent. */
  thinking?: unknown;
  headers: Record<string, string | undefined>;
  receivedAt: number;
}

export interface FakeOpenAI {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:PORT/v1`. */
  url: string;
  port: number;
  /** Every POST /v1/chat/completions and /v1/messages request, in arrival order (invalid ones too, best effort). */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface Directive {
  /** The raw `[[fake ...]]` text, or undefined when the message has none. */
  source?: string;
  /** The user message with the directive removed, trimmed (used by the default answer). */
  message: string;
  text?: string;
  repeat: number;
  unicode: boolean;
  chunk: number;
  splitSurrogates: boolean;
  /** Effective delay between chunks in ms (derived from tps when tps is set). */
  delay: number;
  ttft: number;
  tps?: number;
  status?: number;
  retryAfter?: number;
  failTimes?: number;
  cutAfter?: number;
  stallAfter?: number;
  malformedAfter?: number;
  usagePrompt?: number;
  usageCompletion?: number;
  requireAuth?: string;
  noContinue?: boolean;
  reasoning?: string;
  tool?: string;
  /** JSON object text (validated); "{}" when not given. */
  toolInput?: string;
  toolId?: string;
  toolText?: string;
  tool2?: string;
  tool2Input?: string;
  toolThen?: string;
  toolThenInput?: string;
  toolUnchecked?: boolean;
  echo?: boolean;
  /** The last user message's files (set by the server, not the directive): see `{{files}}`. */
  files?: RecordedFile[];
  /** The last user message's whole text without the directive (set by the server): `echo=1`. */
  echoText?: string;
}

export class DirectiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DirectiveError";
  }
}

export const DEFAULT_MODEL = "fake-model";
export const DEFAULT_CHUNK = 5;
export const DEFAULT_DELAY_MS = 5;

/**
 * Fixed text rich in edge cases. Written with escapes so that no editor or tool can
 * normalize the combining sequences.
 */
export const UNICODE_TEXT: string = [
  // 😀 👍🏽 (skin tone modifier) 👩‍👩‍👧‍👦 (ZWJ family) 🇫🇷 🇯🇵 (flags) 🏳️‍🌈 (VS16 + ZWJ)
  "Emoji: \u{1F600} \u{1F44D}\u{1F3FD} \u{1F469}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466} \u{1F1EB}\u{1F1F7}\u{1F1EF}\u{1F1F5} \u{1F3F3}\uFE0F\u200D\u{1F308}",
  // 漢字かなカナ한국어 plus astral CJK ideographs 𠮟𠀋
  "CJK: \u6F22\u5B57\u304B\u306A\u30AB\u30CA\uD55C\uAD6D\uC5B4 \u{20B9F}\u{2000B}",
  // e + COMBINING ACUTE vs precomposed é; Zalgo-ish stacked marks
  "Combining: e\u0301 vs \u00E9, Z\u0351\u0334\u036Ea\u0308\u0327\u0489l\u0315\u0339g\u0350\u0316\u035Co\u0303\u0324\u0334",
  // Arabic "مرحبا بالعالم", Hebrew "שלום עולם", RLM
  "RTL: \u0645\u0631\u062D\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645 / \u05E9\u05DC\u05D5\u05DD \u05E2\u05D5\u05DC\u05DD\u200F.",
  // 𝔸𝕓𝒸 𝟘𝟙 ∀x∈ℝ 𝄞 (astral-plane math alphanumerics and a musical symbol)
  "Math: \u{1D538}\u{1D553}\u{1D4B8} \u{1D7D8}\u{1D7D9} \u2200x\u2208\u211D \u{1D11E}",
  // Things that break naive SSE/HTML handling: LS/PS separators, CRLF, a fake SSE frame, quotes, tags
  "Traps: a\u2028b\u2029c \r\n data: [DONE]\n\n \"quoted\" \\back\\slash </script><b>&amp;",
  "End.",
].join("\n");

const KNOWN_KEYS = new Set([
  "text",
  "repeat",
  "unicode",
  "chunk",
  "split_surrogates",
  "delay",
  "ttft",
  "tps",
  "status",
  "retry_after",
  "fail_times",
  "cut_after",
  "stall_after",
  "malformed_after",
  "usage_prompt",
  "usage_completion",
  "require_auth",
  "no_continue",
  "reasoning",
  "tool",
  "tool_input",
  "tool_id",
  "tool_text",
  "tool2",
  "tool2_input",
  "tool_then",
  "tool_then_input",
  "tool_unchecked",
  "echo",
]);

function unescapeValue(raw: string): string {
  return raw.replace(/\\(u[0-9a-fA-F]{4}|.)/gs, (_m, esc: string) => {
    if (esc.length === 5) return String.fromCharCode(parseInt(esc.slice(1), 16));
    switch (esc) {
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      default:
        return esc; // \\ -> \, \" -> ", \x -> x
    }
  });
}

const DIRECTIVE_START = /\[\[fake(?=\s|\]\])/;

/** Tokenizes the first `[[fake ...]]` directive in `text`. */
function scanDirective(text: string): { source: string; pairs: [string, string][] } | undefined {
  const m = DIRECTIVE_START.exec(text);
  if (!m) return undefined;
  const start = m.index;
  let i = start + "[[fake".length;
  const pairs: [string, string][] = [];
  const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);
  for (;;) {
    while (isSpace(text[i])) i++;
    if (i >= text.length) throw new DirectiveError("unterminated [[fake ...]] directive (missing ']]')");
    if (text.startsWith("]]", i)) {
      i += 2;
      break;
    }
    const keyMatch = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 64));
    if (!keyMatch) throw new DirectiveError(`expected key=value at offset ${i - start} in directive`);
    const key = keyMatch[0];
    i += key.length;
    if (text[i] !== "=") throw new DirectiveError(`expected '=' after key '${key}'`);
    i++;
    let raw = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        const c = text[i];
        if (c === undefined) throw new DirectiveError(`unterminated quoted value for '${key}'`);
        if (c === "\\" && i + 1 < text.length) {
          raw += c + text[i + 1];
          i += 2;
          continue;
        }
        if (c === '"') {
          i++;
          break;
        }
        raw += c;
        i++;
      }
    } else {
      while (i < text.length && !isSpace(text[i]) && !text.startsWith("]]", i)) {
        raw += text[i];
        i++;
      }
    }
    pairs.push([key, unescapeValue(raw)]);
  }
  return { source: text.slice(start, i), pairs };
}

function parseNumber(key: string, value: string, opts: { min: number; integer: boolean }): number {
  const re = opts.integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
  if (!re.test(value)) throw new DirectiveError(`invalid value for '${key}': ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isFinite(n) || n < opts.min) {
    throw new DirectiveError(`value for '${key}' must be >= ${opts.min}, got ${value}`);
  }
  return n;
}

function parseBool(key: string, value: string): boolean {
  if (value === "1" || value === "true") return true;
  if (value === "0" || value === "false") return false;
  throw new DirectiveError(`invalid boolean for '${key}': ${JSON.stringify(value)} (use 1 or 0)`);
}

/** Parses the directive (if any) out of a user message. Throws DirectiveError on bad input. */
export function parseDirective(text: string): Directive {
  const scanned = scanDirective(text);
  const d: Directive = {
    message: (scanned ? text.replace(scanned.source, "") : text).trim(),
    repeat: 1,
    unicode: false,
    chunk: DEFAULT_CHUNK,
    splitSurrogates: false,
    delay: DEFAULT_DELAY_MS,
    ttft: 0,
  };
  if (!scanned) return d;
  d.source = scanned.source;
  const int = (k: string, v: string, min = 0) => parseNumber(k, v, { min, integer: true });
  const num = (k: string, v: string) => parseNumber(k, v, { min: 0, integer: false });
  for (const [key, value] of scanned.pairs) {
    if (!KNOWN_KEYS.has(key)) {
      throw new DirectiveError(`unknown directive key '${key}' (known: ${[...KNOWN_KEYS].join(", ")})`);
    }
    switch (key) {
      case "text":
        d.text = value;
        break;
      case "repeat":
        d.repeat = int(key, value);
        break;
      case "unicode":
        d.unicode = parseBool(key, value);
        break;
      case "chunk":
        d.chunk = int(key, value, 1);
        break;
      case "split_surrogates":
        d.splitSurrogates = parseBool(key, value);
        break;
      case "delay":
        d.delay = num(key, value);
        break;
      case "ttft":
        d.ttft = num(key, value);
        break;
      case "tps": {
        const tps = num(key, value);
        if (tps <= 0) throw new DirectiveError("tps must be > 0");
        d.tps = tps;
        break;
      }
      case "status": {
        const status = int(key, value);
        if (status < 400 || status > 599) throw new DirectiveError(`status must be 400..599, got ${value}`);
        d.status = status;
        break;
      }
      case "retry_after":
        d.retryAfter = num(key, value);
        break;
      case "fail_times":
        d.failTimes = int(key, value);
        break;
      case "cut_after":
        d.cutAfter = int(key, value);
        break;
      case "stall_after":
        d.stallAfter = int(key, value);
        break;
      case "malformed_after":
        d.malformedAfter = int(key, value);
        break;
      case "usage_prompt":
        d.usagePrompt = int(key, value);
        break;
      case "usage_completion":
        d.usageCompletion = int(key, value);
        break;
      case "require_auth":
        d.requireAuth = value;
        break;
      case "no_continue":
        d.noContinue = value === "1";
        break;
      case "reasoning":
        d.reasoning = value;
        break;
      case "tool":
        d.tool = toolName(key, value);
        break;
      case "tool_input":
        d.toolInput = jsonObject(key, value);
        break;
      case "tool_id":
        d.toolId = toolName(key, value);
        break;
      case "tool_text":
        d.toolText = value;
        break;
      case "tool2":
        d.tool2 = toolName(key, value);
        break;
      case "tool2_input":
        d.tool2Input = jsonObject(key, value);
        break;
      case "tool_then":
        d.toolThen = toolName(key, value);
        break;
      case "tool_then_input":
        d.toolThenInput = jsonObject(key, value);
        break;
      case "tool_unchecked":
        d.toolUnchecked = parseBool(key, value);
        break;
      case "echo":
        d.echo = parseBool(key, value);
        break;
    }
  }
  if (d.tps !== undefined) d.delay = 1000 / d.tps;
  const needs = (given: unknown, keys: string, what: string | undefined, needed: string) => {
    if (given !== undefined && what === undefined) throw new DirectiveError(`'${keys}' needs '${needed}='`);
  };
  needs(d.toolInput, "tool_input", d.tool, "tool");
  needs(d.toolId, "tool_id", d.tool, "tool");
  needs(d.toolText, "tool_text", d.tool, "tool");
  needs(d.toolUnchecked, "tool_unchecked", d.tool, "tool");
  needs(d.tool2, "tool2", d.tool, "tool");
  needs(d.toolThen, "tool_then", d.tool, "tool");
  needs(d.tool2Input, "tool2_input", d.tool2, "tool2");
  needs(d.toolThenInput, "tool_then_input", d.toolThen, "tool_then");
  if (d.toolId === "call_2" || d.toolId === "call_3") throw new DirectiveError(`tool_id ${d.toolId} is taken by tool2/tool_then`);
  return d;
}

function toolName(key: string, value: string): string {
  if (!/^\S+$/.test(value)) throw new DirectiveError(`'${key}' must be a non-empty name without spaces, got ${JSON.stringify(value)}`);
  return value;
}

function jsonObject(key: string, value: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new DirectiveError(`'${key}' must be a JSON object, got ${JSON.stringify(value)}`);
  }
  if (!isRecord(parsed)) throw new DirectiveError(`'${key}' must be a JSON object, got ${JSON.stringify(value)}`);
  return value;
}

/** The full text the server streams for a (successful) response to this directive. */
export function scriptedText(d: Directive): string {
  let base: string;
  if (d.unicode) base = UNICODE_TEXT;
  else if (d.echo) base = d.echoText ?? d.message;
  else if (d.text !== undefined) base = d.text.replaceAll("{{files}}", d.files?.length ? filesSummary(d.files) : "no files");
  else base = `Hello from the fake model. You said: ${Array.from(d.message).slice(0, 40).join("")}${d.files?.length ? ` Files: ${filesSummary(d.files)}.` : ""}`;
  return base.repeat(d.repeat);
}

/** What the model says it was given: "image/png, 68 bytes, sha256 0123456789ab; ...". */
export function filesSummary(files: RecordedFile[]): string {
  return files.map((f) => (f.url ? `${f.mediaType}, by URL ${f.url}` : `${f.mediaType}, ${f.bytes} bytes, sha256 ${f.sha256.slice(0, 12)}`)).join("; ");
}

/** A file from a data URL ("data:<type>;base64,<data>") or an https URL (recorded, not fetched). */
function fileOf(kind: RecordedFile["kind"], url: string, filename?: string, mediaType?: string): RecordedFile {
  const m = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(url);
  const named = filename ? { filename } : {};
  if (!m) return { kind, mediaType: mediaType ?? "", bytes: -1, sha256: "", url, ...named };
  const bytes = m[2] ? Buffer.from(m[3]!, "base64") : Buffer.from(decodeURIComponent(m[3]!), "utf8");
  return { kind, mediaType: m[1] || mediaType || "", bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex"), ...named };
}

/** Chat Completions content parts: `image_url` and `file` ({filename, file_data}). */
function openaiFiles(content: unknown): RecordedFile[] {
  if (!Array.isArray(content)) return [];
  return content.filter(isRecord).flatMap((p): RecordedFile[] => {
    if (p.type === "image_url" && isRecord(p.image_url)) return [fileOf("image", str(p.image_url.url))];
    if (p.type === "file" && isRecord(p.file) && typeof p.file.file_data === "string") {
      return [fileOf("file", p.file.file_data, typeof p.file.filename === "string" ? p.file.filename : undefined)];
    }
    return [];
  });
}

/** Messages API blocks: `image` and `document`, with a base64 or URL source. */
function anthropicFile(b: Record<string, unknown>): RecordedFile | undefined {
  if ((b.type !== "image" && b.type !== "document") || !isRecord(b.source)) return undefined;
  const kind = b.type === "image" ? "image" : "file";
  const src = b.source;
  const filename = typeof b.title === "string" ? b.title : undefined;
  if (src.type === "base64") return fileOf(kind, `data:${str(src.media_type)};base64,${str(src.data)}`, filename);
  if (src.type === "url") return fileOf(kind, str(src.url), filename);
  if (src.type === "text") return fileOf(kind, `data:${str(src.media_type) || "text/plain"};base64,${Buffer.from(str(src.data)).toString("base64")}`, filename);
  return undefined;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Splits text into chunks of `size` UTF-16 code units. Unless `splitSurrogates`, a chunk
 * that would end between the two halves of a surrogate pair is extended by one unit.
 */
export function splitIntoChunks(text: string, size: number, splitSurrogates: boolean): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(i + size, text.length);
    if (
      !splitSurrogates &&
      end < text.length &&
      isHighSurrogate(text.charCodeAt(end - 1)) &&
      isLowSurrogate(text.charCodeAt(end))
    ) {
      end++;
    }
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// HTTP plumbing

interface ErrorSpec {
  message: string;
  type: string;
  code: string | null;
}

const ERRORS: Record<number, ErrorSpec> = {
  400: { message: "Bad request", type: "invalid_request_error", code: null },
  401: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" },
  403: { message: "You are not allowed to access this resource", type: "invalid_request_error", code: "forbidden" },
  404: { message: "The model does not exist or you do not have access to it", type: "invalid_request_error", code: "model_not_found" },
  408: { message: "Request timed out", type: "timeout", code: null },
  429: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" },
  500: { message: "The server had an error", type: "server_error", code: null },
  502: { message: "Bad gateway", type: "server_error", code: null },
  503: { message: "The engine is currently overloaded, please try again later", type: "server_error", code: null },
};

function sendError(
  res: ServerResponse,
  status: number,
  override?: Partial<ErrorSpec>,
  extraHeaders: Record<string, string> = {},
): void {
  const base: ErrorSpec = ERRORS[status] ?? { message: `Fake error with status ${status}`, type: "api_error", code: null };
  const body = JSON.stringify({ error: { ...base, ...override } });
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function flattenHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    out[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

function contentToString(content: unknown): string {
  if (typeof content === "string") return content;
  if (content == null) return "";
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => {
        if (typeof part === "string") return part;
        if (part && typeof part === "object" && "text" in part && typeof part.text === "string") return part.text;
        return "";
      })
      .join("");
  }
  return JSON.stringify(content);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Per-response cancellation: resolves sleeps early once the client is gone. */
interface Conn {
  signal: AbortSignal;
  res: ServerResponse;
  /** Resolves once the last write has been handed to the OS (or failed). */
  lastFlush: Promise<void>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

function waitForever(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/** Writes and, when the socket buffer is full, waits for drain (or disconnect). */
async function write(conn: Conn, data: string): Promise<boolean> {
  const { res, signal } = conn;
  if (signal.aborted || res.destroyed || res.writableEnded) return false;
  let ok = false;
  conn.lastFlush = new Promise<void>((resolve) => {
    ok = res.write(data, () => resolve());
  });
  if (ok) return true;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    res.on("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
  return !signal.aborted;
}


let idCounter = 0;

interface State {
  requests: RecordedRequest[];
  failures: Map<string, number>;
  onChunk?: (e: ChunkEvent) => void;
}

/** A streamed chunk as it left the server (benchmarks measure token latency from it). */
export interface ChunkEvent {
  /** The last user message without its directive: benchmarks put an id there. */
  message: string;
  index: number;
  /** What the chunk carries: reasoning, answer text, or a tool call (its start, or a piece of its arguments). */
  kind: "reasoning" | "text" | "tool";
  text: string;
  /** Epoch milliseconds with sub-millisecond precision (performance.timeOrigin + now()). */
  at: number;
}

type Api = "openai" | "anthropic";

/** Anthropic's error `type` for an HTTP status (https://docs.anthropic.com/en/api/errors). */
const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

/** An error in the shape of the API the request came to. */
function sendApiError(
  api: Api,
  res: ServerResponse,
  status: number,
  override?: Partial<ErrorSpec> & { param?: string },
  extraHeaders: Record<string, string> = {},
): void {
  if (api === "openai") return sendError(res, status, override, extraHeaders);
  if (res.destroyed || res.headersSent) return;
  const message = override?.message ?? ERRORS[status]?.message ?? `Fake error with status ${status}`;
  const body = JSON.stringify({ type: "error", error: { type: ANTHROPIC_ERROR_TYPES[status] ?? "api_error", message } });
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** Chat Completions messages as recorded: role, text, and the tool-call links. */
function openaiMessages(raw: unknown[]): RecordedMessage[] {
  return raw.map((m: unknown) => {
    if (!isRecord(m)) return { role: "", content: "" };
    const out: RecordedMessage = { role: str(m.role), content: contentToString(m.content) };
    const files = openaiFiles(m.content);
    if (files.length) out.files = files;
    if (out.role === "tool" && typeof m.tool_call_id === "string") out.toolCallId = m.tool_call_id;
    if (Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
      out.toolCalls = m.tool_calls.map((c: unknown) => ({
        id: isRecord(c) ? str(c.id) : "",
        name: isRecord(c) && isRecord(c.function) ? str(c.function.name) : "",
      }));
    }
    return out;
  });
}

/**
 * Messages API messages in the same shape: `system` first, each tool_result block a tool
 * message (before the text of its user message, where Anthropic wants them), tool_use blocks
 * an assistant's toolCalls; thinking blocks are left out of the text.
 */
function anthropicMessages(system: unknown, raw: unknown[]): RecordedMessage[] {
  const out: RecordedMessage[] = [];
  if (system !== undefined && system !== null) out.push({ role: "system", content: contentToString(system) });
  for (const m of raw) {
    if (!isRecord(m)) {
      out.push({ role: "", content: "" });
      continue;
    }
    const role = str(m.role);
    if (!Array.isArray(m.content)) {
      out.push({ role, content: contentToString(m.content) });
      continue;
    }
    const blocks = m.content.filter(isRecord);
    let text = "";
    let rest = false;
    const toolCalls: { id: string; name: string }[] = [];
    const files: RecordedFile[] = [];
    for (const b of blocks) {
      if (b.type === "tool_result") {
        out.push({ role: "tool", content: contentToString(b.content), toolCallId: str(b.tool_use_id) });
        continue;
      }
      rest = true;
      if (b.type === "text") text += str(b.text);
      else if (b.type === "tool_use") toolCalls.push({ id: str(b.id), name: str(b.name) });
      else {
        const file = anthropicFile(b);
        if (file) files.push(file);
      }
    }
    if (rest || blocks.length === 0) {
      out.push({ role, content: text, ...(toolCalls.length > 0 ? { toolCalls } : {}), ...(files.length > 0 ? { files } : {}) });
    }
  }
  return out;
}

/** Names of the offered tools: `{type: "function", function: {name}}` (OpenAI) or `{name}` (Anthropic). */
function toolNames(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  return tools.map((t: unknown) => {
    if (!isRecord(t)) return "";
    if (isRecord(t.function)) return str(t.function.name);
    return str(t.name);
  });
}

interface ToolCallSpec {
  id: string;
  name: string;
  /** The arguments, JSON text. */
  input: string;
}

/** What one response says: reasoning, then text, then tool calls (none: a final answer). */
interface Reply {
  reasoning: string;
  text: string;
  calls: ToolCallSpec[];
}

/**
 * The step of the directive's turn this request is at, from the tool results it carries: the
 * first call(s) until their results are in, then tool_then's call, then the text answer.
 */
function planReply(d: Directive, messages: RecordedMessage[], api: Api, finalText: (text: string) => string): Reply {
  const reasoning = d.reasoning ?? "";
  const text = scriptedText(d);
  if (d.tool === undefined) return { reasoning, text: finalText(text), calls: [] };
  const ids = api === "openai" ? ["call_1", "call_2", "call_3"] : ["toolu_fake_1", "toolu_fake_2", "toolu_fake_3"];
  const first: ToolCallSpec = { id: d.toolId ?? ids[0]!, name: d.tool, input: d.toolInput ?? "{}" };
  const second: ToolCallSpec | undefined = d.tool2 === undefined ? undefined : { id: ids[1]!, name: d.tool2, input: d.tool2Input ?? "{}" };
  const then: ToolCallSpec | undefined =
    d.toolThen === undefined ? undefined : { id: ids[2]!, name: d.toolThen, input: d.toolThenInput ?? "{}" };
  const results = new Map<string, string>();
  for (const m of messages) if (m.role === "tool" && m.toolCallId !== undefined) results.set(m.toolCallId, m.content);
  const preamble = d.toolText ?? "";
  const missing = [first, ...(second ? [second] : [])].filter((c) => !results.has(c.id));
  if (missing.length > 0) return { reasoning, text: preamble, calls: missing };
  if (then && !results.has(then.id)) return { reasoning, text: preamble, calls: [then] };
  const out = (c: ToolCallSpec | undefined) => (c ? (results.get(c.id) ?? "") : "");
  const answer = text
    .replaceAll("{{tool_output_1}}", out(first))
    .replaceAll("{{tool_output_2}}", out(second))
    .replaceAll("{{tool_output_3}}", out(then))
    .replaceAll("{{tool_output}}", out(then ?? first));
  return { reasoning, text: finalText(answer), calls: [] };
}

/** One counted chunk of a streamed response, ready to write (with any structural events before it). */
interface Unit {
  data: string;
  kind: ChunkEvent["kind"];
  text: string;
}

async function handleModelRequest(api: Api, req: IncomingMessage, res: ServerResponse, state: State, conn: Conn): Promise<void> {
  const receivedAt = Date.now();
  const headers = flattenHeaders(req);
  let raw: string;
  try {
    raw = await readBody(req);
  } catch (err) {
    sendApiError(api, res, 400, { message: `Could not read request body: ${(err as Error).message}` });
    return;
  }

  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    state.requests.push({ api, model: "", messages: [], tools: [], stream: false, headers, receivedAt });
    sendApiError(api, res, 400, {
      message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
      code: "invalid_json",
    });
    return;
  }

  const obj = isRecord(body) ? body : {};
  const model = typeof obj.model === "string" ? obj.model : "";
  const stream = obj.stream === true;
  const rawMessages = Array.isArray(obj.messages) ? obj.messages : undefined;
  const messages = api === "openai" ? openaiMessages(rawMessages ?? []) : anthropicMessages(obj.system, rawMessages ?? []);
  const tools = toolNames(obj.tools);
  const recorded: RecordedRequest = { api, model, messages, tools, stream, headers, receivedAt };
  if (obj.stream_options !== undefined) recorded.streamOptions = obj.stream_options;
  if (api === "anthropic" && obj.thinking !== undefined) recorded.thinking = obj.thinking;
  state.requests.push(recorded);

  if (!isRecord(body)) {
    sendApiError(api, res, 400, { message: "The request body must be a JSON object.", code: "invalid_body" });
    return;
  }
  if (!rawMessages || rawMessages.length === 0) {
    sendApiError(api, res, 400, {
      message: rawMessages ? "'messages' must contain at least one message." : "'messages' is a required property",
      code: rawMessages ? "empty_array" : "missing_required_parameter",
    });
    return;
  }

  const prefill = api === "anthropic" || obj.continue_final_message === true;
  const continuing = continuationOf(messages, prefill);
  const lastUser = (continuing?.kind === "instruction" ? messages.slice(0, -2) : messages).findLast((m) => m.role === "user");
  let d: Directive;
  try {
    d = parseDirective(lastUser?.content ?? "");
  } catch (err) {
    sendApiError(api, res, 400, { message: `Invalid fake directive: ${(err as Error).message}`, code: "invalid_fake_directive" });
    return;
  }
  if (lastUser?.files) d.files = lastUser.files;
  if (d.echo) d.echoText = (d.source ? (lastUser?.content ?? "").replace(d.source, "") : (lastUser?.content ?? "")).trim();

  if (d.requireAuth !== undefined) {
    const ok = api === "openai" ? headers.authorization === `Bearer ${d.requireAuth}` : headers["x-api-key"] === d.requireAuth;
    if (!ok) {
      sendApiError(api, res, 401, api === "anthropic" ? { message: "invalid x-api-key" } : undefined);
      return;
    }
  }

  if (d.status !== undefined || d.failTimes !== undefined) {
    let fail = true;
    if (d.failTimes !== undefined) {
      const key = d.source ?? "";
      const seen = state.failures.get(key) ?? 0;
      fail = seen < d.failTimes;
      if (fail) state.failures.set(key, seen + 1);
    }
    if (fail) {
      const status = d.status ?? 500;
      const extra: Record<string, string> = {};
      if (status === 429 || status === 503 || d.retryAfter !== undefined) {
        extra["Retry-After"] = String(d.retryAfter ?? 1);
      }
      sendApiError(api, res, status, undefined, extra);
      return;
    }
  }

  if (continuing && d.noContinue) {
    sendApiError(api, res, 400, { message: "This model cannot continue an assistant message.", code: "continuation_unsupported" });
    return;
  }
  if (api === "anthropic" && !stream) {
    sendApiError(api, res, 400, { message: "fake: the Messages API is only served streaming (stream: true)" });
    return;
  }

  const reply = planReply(d, messages, api, (text) => (continuing ? continuedText(text, continuing) : text));
  if (!d.toolUnchecked) {
    const unknown = reply.calls.find((c) => !tools.includes(c.name));
    if (unknown) {
      const offered = tools.length > 0 ? tools.join(", ") : "none";
      sendApiError(api, res, 400, {
        message: `fake: the directive calls tool '${unknown.name}', which the request does not offer in 'tools' (offered: ${offered})`,
        param: "tools",
        code: "tool_not_offered",
      });
      return;
    }
  }
  // Anthropic thinks only when asked to; OpenAI-compatible reasoning models always do.
  const thinkingType = isRecord(obj.thinking) ? obj.thinking.type : undefined;
  if (api === "anthropic" && thinkingType !== "enabled" && thinkingType !== "adaptive") reply.reasoning = "";

  const promptChars = messages.reduce((n, m) => n + m.content.length, 0);
  const promptTokens = d.usagePrompt ?? Math.ceil(promptChars / 4);
  const responseModel = model || DEFAULT_MODEL;

  if (api === "anthropic") {
    return streamAnthropic(conn, state, d, reply, { model: responseModel, promptTokens });
  }
  return answerOpenAI(conn, state, d, reply, { model: responseModel, promptTokens, stream, obj });
}

async function answerOpenAI(
  conn: Conn,
  state: State,
  d: Directive,
  reply: Reply,
  o: { model: string; promptTokens: number; stream: boolean; obj: Record<string, unknown> },
): Promise<void> {
  const { res } = conn;
  const split = (s: string) => splitIntoChunks(s, d.chunk, d.splitSurrogates);
  const deltas: { delta: Record<string, unknown>; kind: ChunkEvent["kind"]; text: string }[] = [];
  for (const c of split(reply.reasoning)) deltas.push({ delta: { reasoning_content: c }, kind: "reasoning", text: c });
  for (const c of split(reply.text)) deltas.push({ delta: { content: c }, kind: "text", text: c });
  reply.calls.forEach((call, index) => {
    deltas.push({
      delta: { tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] },
      kind: "tool",
      text: "",
    });
    for (const c of split(call.input)) deltas.push({ delta: { tool_calls: [{ index, function: { arguments: c } }] }, kind: "tool", text: c });
  });
  if (deltas[0]) deltas[0].delta = { role: "assistant", ...deltas[0].delta };
  const finishReason = reply.calls.length > 0 ? "tool_calls" : "stop";
  const usage = {
    prompt_tokens: o.promptTokens,
    completion_tokens: d.usageCompletion ?? deltas.length,
    total_tokens: 0,
  };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  const id = `chatcmpl-fake-${++idCounter}`;
  const created = Math.floor(Date.now() / 1000);

  if (!o.stream) {
    await sleep(d.ttft, conn.signal);
    if (d.cutAfter !== undefined) {
      res.socket?.destroy();
      return;
    }
    if (d.stallAfter !== undefined) {
      res.writeHead(200, { "Content-Type": "application/json; charset=utf-8" });
      res.flushHeaders();
      await waitForever(conn.signal);
      return;
    }
    if (d.malformedAfter !== undefined) {
      res.writeHead(200, { "Content-Type": "application/json; charset=utf-8" });
      res.end("{not json");
      return;
    }
    if (conn.signal.aborted) return;
    const message: Record<string, unknown> = {
      role: "assistant",
      content: reply.calls.length > 0 && reply.text === "" ? null : reply.text,
      refusal: null,
    };
    if (reply.reasoning !== "") message.reasoning_content = reply.reasoning;
    if (reply.calls.length > 0) {
      message.tool_calls = reply.calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.input } }));
    }
    sendJson(res, 200, {
      id,
      object: "chat.completion",
      created,
      model: o.model,
      system_fingerprint: "fp_fake",
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      usage,
    });
    return;
  }

  const includeUsage = isRecord(o.obj.stream_options) && o.obj.stream_options.include_usage === true;
  const frame = (choices: unknown[], extra?: Record<string, unknown>) =>
    `data: ${JSON.stringify({
      id,
      object: "chat.completion.chunk",
      created,
      model: o.model,
      system_fingerprint: "fp_fake",
      choices,
      ...(includeUsage ? { usage: null } : {}),
      ...extra,
    })}\n\n`;

  res.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
    Connection: "keep-alive",
    "X-Request-Id": id,
  });
  res.flushHeaders();

  const units: Unit[] = deltas.map((x) => ({
    data: frame([{ index: 0, delta: x.delta, logprobs: null, finish_reason: null }]),
    kind: x.kind,
    text: x.text,
  }));
  const epilogue = [frame([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }])];
  if (includeUsage) epilogue.push(frame([], { usage }));
  epilogue.push("data: [DONE]\n\n");
  await streamUnits(conn, state, d, units, epilogue, "data: {not json\n\n");
}

/** The Messages API's event stream (https://docs.anthropic.com/en/docs/build-with-claude/streaming). */
async function streamAnthropic(conn: Conn, state: State, d: Directive, reply: Reply, o: { model: string; promptTokens: number }): Promise<void> {
  const { res } = conn;
  const id = `msg_fake_${++idCounter}`;
  const event = (type: string, payload: Record<string, unknown> = {}) => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
  const split = (s: string) => splitIntoChunks(s, d.chunk, d.splitSurrogates);

  // Content events in order; the counted ones (chunks) carry the structural ones before them.
  const units: Unit[] = [];
  let pending = "";
  const structural = (data: string) => {
    pending += data;
  };
  const counted = (data: string, kind: ChunkEvent["kind"], text: string) => {
    units.push({ data: pending + data, kind, text });
    pending = "";
  };
  let index = -1;
  if (reply.reasoning !== "") {
    index++;
    structural(event("content_block_start", { index, content_block: { type: "thinking", thinking: "" } }));
    for (const c of split(reply.reasoning)) counted(event("content_block_delta", { index, delta: { type: "thinking_delta", thinking: c } }), "reasoning", c);
    const signature = Buffer.from(`fake-signature:${id}:${index}`).toString("base64");
    structural(event("content_block_delta", { index, delta: { type: "signature_delta", signature } }));
    structural(event("content_block_stop", { index }));
  }
  if (reply.text !== "") {
    index++;
    structural(event("content_block_start", { index, content_block: { type: "text", text: "" } }));
    for (const c of split(reply.text)) counted(event("content_block_delta", { index, delta: { type: "text_delta", text: c } }), "text", c);
    structural(event("content_block_stop", { index }));
  }
  for (const call of reply.calls) {
    index++;
    counted(event("content_block_start", { index, content_block: { type: "tool_use", id: call.id, name: call.name, input: {} } }), "tool", "");
    for (const c of split(call.input)) {
      counted(event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: c } }), "tool", c);
    }
    structural(event("content_block_stop", { index }));
  }
  const outputTokens = d.usageCompletion ?? units.length;
  const epilogue = [
    pending,
    event("message_delta", {
      delta: { stop_reason: reply.calls.length > 0 ? "tool_use" : "end_turn", stop_sequence: null },
      usage: { output_tokens: outputTokens },
    }),
    event("message_stop"),
  ].filter((f) => f !== "");

  res.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
    Connection: "keep-alive",
    "Request-Id": id,
  });
  res.flushHeaders();
  const start = event("message_start", {
    message: {
      id,
      type: "message",
      role: "assistant",
      model: o.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: o.promptTokens, output_tokens: 1 },
    },
  });
  if (!(await write(conn, start + event("ping")))) return;
  await streamUnits(conn, state, d, units, epilogue, "event: content_block_delta\ndata: {not json\n\n");
}

/**
 * Writes the chunks on the directive's schedule (ttft, delay or tps), with its faults
 * (cut_after, stall_after, malformed_after counted in chunks), then the closing frames.
 */
async function streamUnits(conn: Conn, state: State, d: Directive, units: Unit[], epilogue: string[], malformedFrame: string): Promise<void> {
  await sleep(d.ttft, conn.signal);
  const start = performance.now();
  for (let i = 0; i < units.length; i++) {
    if (i > 0 && d.delay > 0) {
      // drift-free schedule so that tps=N is accurate even for sub-millisecond delays
      const due = start + i * d.delay;
      const wait = due - performance.now();
      if (wait >= 1) await sleep(wait, conn.signal);
    } else if (i > 0 && i % 256 === 0) {
      await new Promise((r) => setImmediate(r)); // let 'close' events through on delay=0 floods
    }
    if (i === d.cutAfter) return cut(conn);
    if (i === d.stallAfter) return waitForever(conn.signal);
    if (i === d.malformedAfter) return malformed(conn, malformedFrame);
    const unit = units[i]!;
    state.onChunk?.({ message: d.message, index: i, kind: unit.kind, text: unit.text, at: performance.timeOrigin + performance.now() });
    if (!(await write(conn, unit.data))) return;
  }
  const n = units.length;
  if (d.cutAfter !== undefined && d.cutAfter >= n) return cut(conn);
  if (d.stallAfter !== undefined && d.stallAfter >= n) return waitForever(conn.signal);
  if (d.malformedAfter !== undefined && d.malformedAfter >= n) return malformed(conn, malformedFrame);
  for (const f of epilogue) if (!(await write(conn, f))) return;
  conn.res.end();
}

interface Continuation {
  kind: "prefill" | "instruction";
  /** The assistant text to go on from. */
  prefix: string;
}

function continuationOf(messages: RecordedMessage[], prefill: boolean): Continuation | undefined {
  const last = messages.at(-1);
  const before = messages.at(-2);
  if (last?.role === "assistant" && prefill) return { kind: "prefill", prefix: last.content };
  if (last?.role === "user" && before?.role === "assistant" && /continue it exactly where it stopped/i.test(last.content)) {
    return { kind: "instruction", prefix: before.content };
  }
  return undefined;
}

/** The rest of `full` after the prefix; for an instruction, led by its last few words again. */
function continuedText(full: string, c: Continuation): string {
  if (!full.startsWith(c.prefix)) return full;
  const rest = full.slice(c.prefix.length);
  if (c.kind === "prefill" || c.prefix.length < 40) return rest;
  const tail = c.prefix.slice(-30);
  const wordStart = tail.search(/\s\S/);
  return (wordStart >= 0 && tail.length - wordStart - 1 >= 12 ? tail.slice(wordStart + 1) : tail) + rest;
}

/** Destroys the socket abruptly, after the chunks already written have reached the OS. */
async function cut(conn: Conn): Promise<void> {
  await Promise.race([conn.lastFlush, sleep(1000, conn.signal)]);
  conn.res.socket?.destroy();
}

async function malformed(conn: Conn, frame: string): Promise<void> {
  if (await write(conn, frame)) conn.res.end();
}

function handleModels(res: ServerResponse): void {
  const created = 1_700_000_000;
  sendJson(res, 200, {
    object: "list",
    data: [
      { id: DEFAULT_MODEL, object: "model", created, owned_by: "fake-openai" },
      { id: "fake-model-mini", object: "model", created, owned_by: "fake-openai" },
    ],
  });
}

export function startFakeOpenAI(opts: { port?: number; host?: string; onChunk?: (e: ChunkEvent) => void } = {}): Promise<FakeOpenAI> {
  const host = opts.host ?? "127.0.0.1";
  const state: State = { requests: [], failures: new Map(), onChunk: opts.onChunk };
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const ac = new AbortController();
    res.on("close", () => ac.abort());
    const conn: Conn = { signal: ac.signal, res, lastFlush: Promise.resolve() };
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const route = path.replace(/\/+$/, "");

    const run = async () => {
      if (route === "/v1/models" || route === "/models") {
        if (req.method !== "GET") return sendError(res, 405, { message: `Method ${req.method} not allowed`, type: "invalid_request_error" });
        return handleModels(res);
      }
      // For tests in another process than the server: what the model was sent.
      if (route === "/_test/requests" && req.method === "GET") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(state.requests));
        return;
      }
      if (route === "/v1/chat/completions" || route === "/chat/completions") {
        if (req.method !== "POST") return sendError(res, 405, { message: `Method ${req.method} not allowed`, type: "invalid_request_error" });
        return handleModelRequest("openai", req, res, state, conn);
      }
      if (route === "/v1/messages" || route === "/messages") {
        if (req.method !== "POST") return sendApiError("anthropic", res, 405, { message: `Method ${req.method} not allowed` });
        return handleModelRequest("anthropic", req, res, state, conn);
      }
      sendError(res, 404, { message: `Unknown request URL: ${req.method} ${path}`, code: "unknown_url" });
    };
    run().catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, { message: `fake-openai crashed: ${String(err)}` });
      else res.destroy();
    });
  });

  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      const port = (server.address() as AddressInfo).port;
      const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${urlHost}:${port}/v1`,
        port,
        requests: state.requests,
        close() {
          closing ??= new Promise<void>((res, rej) => {
            server.close((err) => (err ? rej(err) : res()));
            server.closeAllConnections();
            for (const s of sockets) s.destroy();
          });
          return closing;
        },
      });
    });
  });
}
