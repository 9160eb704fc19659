import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { APICallError, generateText, streamText } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DirectiveError,
  UNICODE_TEXT,
  parseDirective,
  scriptedText,
  splitIntoChunks,
  startFakeOpenAI,
  type FakeOpenAI,
} from "../support/fake-openai.ts";

let server: FakeOpenAI;

beforeAll(async () => {
  server = await startFakeOpenAI();
});

afterAll(async () => {
  await server.close();
});

function model(opts: { apiKey?: string; includeUsage?: boolean } = {}) {
  const provider = createOpenAICompatible({
    name: "fake",
    baseURL: server.url,
    apiKey: opts.apiKey ?? "sk-test",
    includeUsage: opts.includeUsage ?? true,
  });
  return provider.chatModel("fake-model");
}

interface Outcome {
  deltas: string[];
  text: string;
  types: string[];
  errors: unknown[];
  thrown: unknown;
  finishReason: string | undefined;
  usage: { input: number | undefined; output: number | undefined } | undefined;
  firstDeltaMs: number | undefined;
  totalMs: number;
}

/** Streams a prompt through the real AI SDK and collects everything that comes out. */
async function run(
  prompt: string,
  opts: { apiKey?: string; maxRetries?: number; abortSignal?: AbortSignal; onFirstDelta?: () => void } = {},
): Promise<Outcome> {
  const errors: unknown[] = [];
  const result = streamText({
    model: model({ apiKey: opts.apiKey }),
    prompt,
    maxRetries: opts.maxRetries ?? 0,
    abortSignal: opts.abortSignal,
    onError: ({ error }) => {
      errors.push(error);
    },
  });
  const out: Outcome = {
    deltas: [],
    text: "",
    types: [],
    errors,
    thrown: undefined,
    finishReason: undefined,
    usage: undefined,
    firstDeltaMs: undefined,
    totalMs: 0,
  };
  const t0 = performance.now();
  try {
    for await (const part of result.fullStream) {
      out.types.push(part.type);
      if (part.type === "text-delta") {
        if (out.deltas.length === 0) {
          out.firstDeltaMs = performance.now() - t0;
          opts.onFirstDelta?.();
        }
        out.deltas.push(part.text);
      } else if (part.type === "error") {
        if (!errors.includes(part.error)) errors.push(part.error);
      } else if (part.type === "finish") {
        out.finishReason = part.finishReason;
        out.usage = { input: part.totalUsage.inputTokens, output: part.totalUsage.outputTokens };
      }
    }
  } catch (err) {
    out.thrown = err;
  }
  out.totalMs = performance.now() - t0;
  out.text = out.deltas.join("");
  return out;
}

const LONE_SURROGATE = /^(?:[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF])/;
const hasLoneSurrogate = (s: string) => [...s].some((ch) => LONE_SURROGATE.test(ch));

describe("parseDirective / scriptedText", () => {
  it("returns defaults without a directive and builds the default answer", () => {
    const d = parseDirective("  What is the airspeed velocity of an unladen swallow, really?  ");
    expect(d.source).toBeUndefined();
    expect(d).toMatchObject({ chunk: 5, delay: 5, ttft: 0, repeat: 1, unicode: false, splitSurrogates: false });
    expect(scriptedText(d)).toBe("Hello from the fake model. You said: What is the airspeed velocity of an unla");
  });

  it("parses keys, quoted values and escapes, and strips the directive from the message", () => {
    const d = parseDirective('before [[fake text="a b\\nc \\"q\\"" repeat=3 chunk=2 tps=50 ttft=20 status=429 fail_times=2]] after');
    expect(d.source).toBe('[[fake text="a b\\nc \\"q\\"" repeat=3 chunk=2 tps=50 ttft=20 status=429 fail_times=2]]');
    expect(d.message).toBe("before  after");
    expect(d.text).toBe('a b\nc "q"');
    expect(d).toMatchObject({ repeat: 3, chunk: 2, tps: 50, delay: 20, ttft: 20, status: 429, failTimes: 2 });
    expect(scriptedText(d)).toBe('a b\nc "q"'.repeat(3));
    expect(scriptedText(parseDirective("[[fake text=abcdefghij repeat=10000]]"))).toHaveLength(100_000);
    expect(scriptedText(parseDirective("[[fake unicode=1]]"))).toBe(UNICODE_TEXT);
  });

  it("rejects unknown keys and bad values", () => {
    expect(() => parseDirective("[[fake txet=hi]]")).toThrow(DirectiveError);
    expect(() => parseDirective("[[fake chunk=0]]")).toThrow(/chunk/);
    expect(() => parseDirective("[[fake delay=soon]]")).toThrow(/delay/);
    expect(() => parseDirective("[[fake text=hi")).toThrow(/unterminated/);
  });

  it("keeps surrogate pairs whole unless split_surrogates", () => {
    const text = "a\u{1F600}b\u{1F600}";
    expect(splitIntoChunks(text, 2, false)).toEqual(["a\u{1F600}", "b\u{1F600}"]);
    expect(splitIntoChunks(text, 2, true)).toEqual(["a\uD83D", "\uDE00b", "\uD83D\uDE00"]);
    expect(splitIntoChunks(text, 1, true).join("")).toBe(text);
    expect(UNICODE_TEXT).toMatch(/\u{1F469}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}/u);
    expect(UNICODE_TEXT).toContain("e\u0301");
  });
});

describe("fake OpenAI server through the AI SDK", () => {
  it("streams the default answer in several deltas and records the request", async () => {
    const before = server.requests.length;
    const prompt = "Tell me something nice";
    const out = await run(prompt);
    expect(out.errors).toEqual([]);
    expect(out.thrown).toBeUndefined();
    expect(out.text).toBe(scriptedText(parseDirective(prompt)));
    expect(out.text).toBe("Hello from the fake model. You said: Tell me something nice");
    expect(out.deltas.length).toBe(Math.ceil(out.text.length / 5));
    expect(out.finishReason).toBe("stop");

    expect(server.requests.length).toBe(before + 1);
    const req = server.requests.at(-1);
    expect(req).toMatchObject({ model: "fake-model", stream: true, streamOptions: { include_usage: true } });
    expect(req?.messages.at(-1)).toEqual({ role: "user", content: prompt });
    expect(req?.headers.authorization).toBe("Bearer sk-test");
    expect(req?.receivedAt).toBeGreaterThan(0);
  });

  it("reassembles unicode=1 split_surrogates=1 chunk=1 exactly, even though deltas carry lone surrogates", async () => {
    const prompt = "[[fake unicode=1 split_surrogates=1 chunk=1 delay=0]]";
    const expected = scriptedText(parseDirective(prompt));
    expect(expected).toBe(UNICODE_TEXT);

    // On the wire: lone surrogates are written as \udXXX JSON escapes.
    const raw = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: prompt }] }),
    }).then((r) => r.text());
    expect(raw).toContain('"content":"\\ud83d"');
    expect(raw).toContain('"content":"\\ude00"');
    expect(raw.trimEnd().endsWith("data: [DONE]")).toBe(true);

    const out = await run(prompt);
    expect(out.errors).toEqual([]);
    expect(out.text).toBe(expected);
    expect(out.text.length).toBe(UNICODE_TEXT.length);
    // Observed with ai@7 + @ai-sdk/openai-compatible@3: every SSE event becomes one delta,
    // untouched, so app code does receive deltas that are lone surrogates.
    expect(out.deltas.length).toBe(UNICODE_TEXT.length);
    expect(out.deltas.filter(hasLoneSurrogate).length).toBeGreaterThan(0);
  });

  it("keeps surrogate pairs together by default", async () => {
    const out = await run("[[fake unicode=1 chunk=1 delay=0]]");
    expect(out.text).toBe(UNICODE_TEXT);
    expect(out.deltas.filter(hasLoneSurrogate)).toEqual([]);
  });

  it("reports usage numbers (explicit and default)", async () => {
    const explicit = await run("[[fake text=hi usage_prompt=123 usage_completion=45 delay=0]]");
    expect(explicit.usage).toEqual({ input: 123, output: 45 });

    const prompt = "[[fake text=abcdefghijkl chunk=4 delay=0]]"; // 3 chunks
    const dflt = await run(prompt);
    expect(dflt.usage).toEqual({ input: Math.ceil(prompt.length / 4), output: 3 });
  });

  it("streams a 100,000 character answer", async () => {
    const out = await run("[[fake text=abcdefghij repeat=10000 chunk=1000 delay=0]]");
    expect(out.text).toBe("abcdefghij".repeat(10_000));
    expect(out.deltas).toHaveLength(100);
  });

  it("surfaces status=429 as an APICallError with the status code and Retry-After", async () => {
    const out = await run("[[fake status=429]]");
    expect(out.deltas).toEqual([]);
    const err = out.errors[0] ?? out.thrown;
    expect(APICallError.isInstance(err)).toBe(true);
    const apiErr = err as APICallError;
    expect(apiErr.statusCode).toBe(429);
    expect(apiErr.message).toContain("Rate limit reached");
    expect(apiErr.responseHeaders?.["retry-after"]).toBe("1");
  });

  it("cut_after=2 ends the stream abnormally after two deltas", async () => {
    const out = await run("[[fake cut_after=2 delay=0]]");
    expect(out.deltas).toHaveLength(2);
    expect(out.finishReason).not.toBe("stop");
    expect(out.thrown ?? out.errors[0]).toBeDefined();
  });

  it("malformed_after=2 produces an error after two deltas", async () => {
    const out = await run("[[fake malformed_after=2 delay=0]]");
    expect(out.deltas).toHaveLength(2);
    expect(out.finishReason).not.toBe("stop");
    const err = out.thrown ?? out.errors[0];
    expect(String(err)).toMatch(/JSON/i);
  });

  it("stall_after=1 can be aborted quickly with an AbortSignal", async () => {
    const ac = new AbortController();
    const out = await run("[[fake stall_after=1 delay=0]]", {
      abortSignal: ac.signal,
      onFirstDelta: () => setTimeout(() => ac.abort(), 50),
    });
    expect(out.deltas).toHaveLength(1);
    expect(out.finishReason).not.toBe("stop");
    expect(out.types.includes("abort") || out.thrown !== undefined).toBe(true);
    expect(out.totalMs).toBeLessThan(1000);
  });

  it("fail_times=1 fails once, then succeeds (manual retry)", async () => {
    const prompt = "[[fake status=500 fail_times=1 text=recovered-manually delay=0]]";
    const first = await run(prompt);
    expect((first.errors[0] as APICallError | undefined)?.statusCode).toBe(500);
    const second = await run(prompt);
    expect(second.errors).toEqual([]);
    expect(second.text).toBe("recovered-manually");
  });

  it("fail_times=1 with status=429 is retried by the AI SDK itself (Retry-After: 0)", async () => {
    const before = server.requests.length;
    const out = await run("[[fake status=429 retry_after=0 fail_times=1 text=recovered-by-sdk delay=0]]", { maxRetries: 2 });
    expect(out.errors).toEqual([]);
    expect(out.text).toBe("recovered-by-sdk");
    expect(server.requests.length - before).toBe(2);
  });

  it("require_auth demands the right bearer token", async () => {
    const prompt = "[[fake require_auth=sk-secret text=welcome delay=0]]";
    const denied = await run(prompt, { apiKey: "sk-wrong" });
    expect((denied.errors[0] as APICallError | undefined)?.statusCode).toBe(401);
    expect(String((denied.errors[0] as Error | undefined)?.message)).toContain("Incorrect API key provided");
    const allowed = await run(prompt, { apiKey: "sk-secret" });
    expect(allowed.text).toBe("welcome");
  });

  it("honours ttft", async () => {
    const out = await run("[[fake text=late ttft=150 delay=0]]");
    expect(out.text).toBe("late");
    expect(out.firstDeltaMs).toBeGreaterThanOrEqual(140);
  });

  it("answers stream:false with a chat.completion (generateText)", async () => {
    const result = await generateText({ model: model(), prompt: "[[fake text=\"non streaming\"]]", maxRetries: 0 });
    expect(result.text).toBe("non streaming");
    expect(result.usage.outputTokens).toBe(3);
    expect(server.requests.at(-1)?.stream).toBe(false);
  });
});

describe("fake OpenAI server given files (docs/design.md §3.13)", () => {
  // A 1x1 PNG: its bytes only reach the fake through the AI SDK's image part (a data URL).
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==", "base64");
  const sha = createHash("sha256").update(png).digest("hex").slice(0, 12);

  it("says the media type, byte length and SHA-256 of an image it was sent, and records it", async () => {
    const before = server.requests.length;
    const result = await generateText({
      model: model(),
      messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "file", data: new Uint8Array(png), mediaType: "image/png" }] }],
      maxRetries: 0,
    });
    expect(result.text).toBe(`Hello from the fake model. You said: What is this? Files: image/png, ${png.length} bytes, sha256 ${sha}.`);
    const sent = server.requests.slice(before).at(-1)!;
    expect(sent.messages.at(-1)!.files).toEqual([{ kind: "image", mediaType: "image/png", bytes: png.length, sha256: createHash("sha256").update(png).digest("hex") }]);
  });

  it("puts the summary of a PDF file part where {{files}} is, and echo=1 gives back the message's text", async () => {
    const pdf = Buffer.from("%PDF-1.4\n%fake\n");
    const withPdf = await generateText({
      model: model(),
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: '[[fake text="Got: {{files}}"]]' },
            { type: "file", data: new Uint8Array(pdf), mediaType: "application/pdf", filename: "a.pdf" },
          ],
        },
      ],
      maxRetries: 0,
    });
    expect(withPdf.text).toBe(`Got: application/pdf, ${pdf.length} bytes, sha256 ${createHash("sha256").update(pdf).digest("hex").slice(0, 12)}`);
    const echoed = await generateText({ model: model(), prompt: "[[fake echo=1]] Repeat\nall of this", maxRetries: 0 });
    expect(echoed.text).toBe("Repeat\nall of this");
  });
});

describe("fake OpenAI server over raw HTTP", () => {
  const post = (body: string) =>
    fetch(`${server.url}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body });

  it("lists models", async () => {
    const res = await fetch(`${server.url}/models`);
    expect(res.status).toBe(200);
    const json = (await res.json()) as { object: string; data: { id: string }[] };
    expect(json.object).toBe("list");
    expect(json.data.map((m) => m.id)).toContain("fake-model");
  });

  it("returns OpenAI-shaped 400 errors for bad bodies and bad directives", async () => {
    for (const body of ["{not json", JSON.stringify({ model: "m" }), JSON.stringify({ model: "m", messages: [] })]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: { message: string; type: string; code: unknown } };
      expect(json.error).toMatchObject({ type: "invalid_request_error" });
      expect(typeof json.error.message).toBe("string");
      expect("code" in json.error).toBe(true);
    }
    const res = await post(JSON.stringify({ messages: [{ role: "user", content: "[[fake nope=1]]" }] }));
    expect(res.status).toBe(400);
  });

  it("close() tears down stalled streams immediately", async () => {
    const local = await startFakeOpenAI();
    const res = await fetch(`${local.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ stream: true, messages: [{ role: "user", content: "[[fake stall_after=1 delay=0]]" }] }),
    });
    const reader = res.body!.getReader();
    await reader.read(); // the first chunk
    const t0 = performance.now();
    await local.close();
    expect(performance.now() - t0).toBeLessThan(500);
    await expect(
      (async () => {
        for (;;) {
          const { done } = await reader.read();
          if (done) return "done";
        }
      })(),
    ).rejects.toThrow();
  });

  it("runs standalone via the CLI under plain node", async () => {
    const cli = fileURLToPath(new URL("../support/fake-openai-cli.ts", import.meta.url));
    const child = spawn(process.execPath, [cli, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      let stdout = "";
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (c: Buffer) => {
          stdout += c.toString();
          const m = /fake-openai listening on (\S+)/.exec(stdout);
          if (m?.[1]) resolve(m[1]);
        });
        child.once("exit", (code) => reject(new Error(`cli exited early (${code}): ${stderr}`)));
      });
      const res = await fetch(`${url}/models`);
      expect(res.status).toBe(200);
      child.kill("SIGTERM");
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
