/**
 * The fake model server's reasoning and tool-call directives, in the wire formats of the real
 * providers, proven with the AI SDK's own providers: OpenAI-compatible Chat Completions
 * (reasoning_content, tool_calls) and Anthropic's Messages API (thinking, tool_use blocks).
 */
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { APICallError, jsonSchema, stepCountIs, streamText, tool, type LanguageModel, type TextStreamPart, type ToolSet } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectiveError, parseDirective, startFakeOpenAI, type FakeOpenAI, type RecordedRequest } from "../support/fake-openai.ts";

let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI();
});

afterAll(async () => {
  await fake.close();
});

function compatible(): LanguageModel {
  return createOpenAICompatible({ name: "compatible", baseURL: fake.url, includeUsage: true }).chatModel("fake-reasoner");
}

function anthropic(apiKey = "x"): LanguageModel {
  return createAnthropic({ baseURL: fake.url, apiKey })("claude-sonnet-4-5");
}

const THINKING = { anthropic: { thinking: { type: "enabled", budgetTokens: 1024 } } } as const;

/** Tools that record their calls and answer with a fixed string per tool. */
function tools(names: string[]) {
  const calls: { name: string; input: unknown }[] = [];
  const set = Object.fromEntries(
    names.map((name) => [
      name,
      tool({
        description: `The ${name} tool`,
        inputSchema: jsonSchema<Record<string, unknown>>({ type: "object", properties: { city: { type: "string" } }, additionalProperties: true }),
        execute: async (input: Record<string, unknown>) => {
          calls.push({ name, input });
          return `${name} says ${typeof input.city === "string" ? input.city : "hi"}`;
        },
      }),
    ]),
  );
  return { set, calls };
}

interface Run {
  /** The reasoning deltas with text (Anthropic's signature arrives as an empty one). */
  reasoning: string[];
  /** Anthropic's thinking signatures, from the reasoning deltas' provider metadata. */
  signatures: string[];
  text: string;
  /** Text per step (start-step to finish-step). */
  stepTexts: string[];
  toolCalls: { toolCallId: string; toolName: string; input: unknown }[];
  toolResults: { toolCallId: string; output: unknown }[];
  finishReasons: string[];
  errors: unknown[];
  types: string[];
  requests: RecordedRequest[];
}

async function run(
  model: LanguageModel,
  prompt: string,
  opts: { tools?: string[]; providerOptions?: Record<string, Record<string, unknown>> } = {},
): Promise<Run & { calls: { name: string; input: unknown }[] }> {
  const before = fake.requests.length;
  const t = tools(opts.tools ?? []);
  const result = streamText({
    model,
    prompt,
    tools: t.set,
    stopWhen: stepCountIs(3),
    maxRetries: 0,
    providerOptions: opts.providerOptions as never,
    onError: () => {},
  });
  const out: Run = { reasoning: [], signatures: [], text: "", stepTexts: [], toolCalls: [], toolResults: [], finishReasons: [], errors: [], types: [], requests: [] };
  try {
    for await (const part of result.fullStream) collect(out, part);
  } catch (err) {
    out.errors.push(err);
  }
  out.requests = fake.requests.slice(before);
  return { ...out, calls: t.calls };
}

function collect(out: Run, part: TextStreamPart<ToolSet>): void {
  out.types.push(part.type);
  if (part.type === "reasoning-delta") {
    if (part.text !== "") out.reasoning.push(part.text);
    const signature = part.providerMetadata?.anthropic?.signature;
    if (typeof signature === "string") out.signatures.push(signature);
  } else if (part.type === "start-step") out.stepTexts.push("");
  else if (part.type === "text-delta") {
    out.text += part.text;
    out.stepTexts[out.stepTexts.length - 1] += part.text;
  } else if (part.type === "tool-call") out.toolCalls.push({ toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
  else if (part.type === "tool-result") out.toolResults.push({ toolCallId: part.toolCallId, output: part.output });
  else if (part.type === "finish-step") out.finishReasons.push(part.finishReason);
  else if (part.type === "error" || part.type === "tool-error") out.errors.push(part.error);
}

/** The SSE frames of a raw request: [event name or undefined, parsed data or raw string]. */
async function sse(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; frames: [string | undefined, unknown][] }> {
  const res = await fetch(`${fake.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const frames: [string | undefined, unknown][] = [];
  for (const block of text.split("\n\n")) {
    if (block.trim() === "") continue;
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = /^data: (.*)$/m.exec(block)?.[1] ?? "";
    let parsed: unknown = data;
    try {
      parsed = JSON.parse(data);
    } catch {
      // [DONE]
    }
    frames.push([event, parsed]);
  }
  return { status: res.status, frames };
}

const OFFER = (name: string) => ({ type: "function", function: { name, parameters: { type: "object" } } });

describe("reasoning and tool directives", () => {
  it("are parsed and checked", () => {
    const d = parseDirective('[[fake reasoning="a b" tool=weather tool_input={"city":"Paris"} tool_id=c9 tool_text=Hm tool2=time tool_then=news]]');
    expect(d).toMatchObject({ reasoning: "a b", tool: "weather", toolInput: '{"city":"Paris"}', toolId: "c9", toolText: "Hm", tool2: "time", toolThen: "news" });
    expect(() => parseDirective("[[fake tool=w tool_input=[1]]]")).toThrow(/JSON object/);
    expect(() => parseDirective('[[fake tool=w tool_input="{nope"]]')).toThrow(DirectiveError);
    expect(() => parseDirective("[[fake tool2=w]]")).toThrow(/needs 'tool='/);
    expect(() => parseDirective("[[fake tool=w tool_then_input={}]]")).toThrow(/needs 'tool_then='/);
    expect(() => parseDirective('[[fake tool=""]]')).toThrow(/non-empty/);
  });
});

describe("OpenAI-compatible Chat Completions through the AI SDK", () => {
  it("streams reasoning_content, calls the tool with the scripted input, and answers with its output", async () => {
    const r = await run(
      compatible(),
      'Weather? [[fake reasoning="Let me think it over." tool=weather tool_input="{\\"city\\":\\"Paris\\"}" text="Result: {{tool_output}}." chunk=4 delay=0]]',
      { tools: ["weather", "unused"] },
    );
    expect(r.errors).toEqual([]);
    // Every step thinks first: two responses, the reasoning in several deltas each.
    expect(r.reasoning.join("")).toBe("Let me think it over.".repeat(2));
    expect(r.reasoning.length).toBe(2 * Math.ceil("Let me think it over.".length / 4));
    expect(r.types.indexOf("reasoning-delta")).toBeLessThan(r.types.indexOf("tool-call"));
    expect(r.toolCalls).toEqual([{ toolCallId: "call_1", toolName: "weather", input: { city: "Paris" } }]);
    expect(r.calls).toEqual([{ name: "weather", input: { city: "Paris" } }]);
    expect(r.toolResults).toEqual([{ toolCallId: "call_1", output: "weather says Paris" }]);
    expect(r.finishReasons).toEqual(["tool-calls", "stop"]);
    expect(r.text).toBe("Result: weather says Paris.");

    expect(r.requests).toHaveLength(2);
    expect(r.requests.map((q) => q.api)).toEqual(["openai", "openai"]);
    expect(r.requests[0]!.tools).toEqual(["weather", "unused"]);
    const second = r.requests[1]!;
    expect(second.messages.find((m) => m.role === "assistant")?.toolCalls).toEqual([{ id: "call_1", name: "weather" }]);
    expect(second.messages.at(-1)).toEqual({ role: "tool", content: "weather says Paris", toolCallId: "call_1" });
    expect(second.messages[0]?.role).toBe("user");
    expect(second.messages[0]?.content).toContain("Weather?");
  });

  it("makes two calls in one response, then a follow-up call, then answers with every output", async () => {
    const r = await run(
      compatible(),
      '[[fake tool=weather tool_input={"city":"Oslo"} tool2=time tool2_input={"city":"Lima"} tool_then=news tool_then_input={"city":"Rome"} tool_text="Checking. " text="1={{tool_output_1}} 2={{tool_output_2}} last={{tool_output}}" delay=0]]',
      { tools: ["weather", "time", "news"] },
    );
    expect(r.errors).toEqual([]);
    expect(r.toolCalls).toEqual([
      { toolCallId: "call_1", toolName: "weather", input: { city: "Oslo" } },
      { toolCallId: "call_2", toolName: "time", input: { city: "Lima" } },
      { toolCallId: "call_3", toolName: "news", input: { city: "Rome" } },
    ]);
    expect(r.finishReasons).toEqual(["tool-calls", "tool-calls", "stop"]);
    expect(r.stepTexts).toEqual(["Checking. ", "Checking. ", "1=weather says Oslo 2=time says Lima last=news says Rome"]);
    expect(r.requests).toHaveLength(3);
    expect(r.requests[1]!.messages.filter((m) => m.role === "tool").map((m) => m.toolCallId)).toEqual(["call_1", "call_2"]);
  });

  it("cut_after counts reasoning chunks: the stream dies mid-reasoning", async () => {
    const r = await run(compatible(), '[[fake reasoning="abcdefghijkl" text="never" chunk=2 cut_after=3 delay=0]]');
    expect(r.reasoning).toEqual(["ab", "cd", "ef"]);
    expect(r.text).toBe("");
    expect(r.errors.length).toBeGreaterThan(0);
  });

  it("sends tool calls on the wire as OpenAI does", async () => {
    const { status, frames } = await sse("/chat/completions", {
      model: "m",
      stream: true,
      tools: [OFFER("weather")],
      messages: [{ role: "user", content: '[[fake reasoning=hmm tool=weather tool_input={"city":"Paris"} tool_id=abc chunk=6 delay=0]]' }],
    });
    expect(status).toBe(200);
    const deltas = frames.slice(0, -2).map(([, f]) => (f as { choices: { delta: Record<string, unknown> }[] }).choices[0]!.delta);
    expect(deltas[0]).toEqual({ role: "assistant", reasoning_content: "hmm" });
    expect(deltas[1]).toEqual({ tool_calls: [{ index: 0, id: "abc", type: "function", function: { name: "weather", arguments: "" } }] });
    const args = deltas.slice(2).map((d) => (d.tool_calls as { index: number; function: { arguments: string } }[])[0]!);
    expect(args.length).toBeGreaterThan(1);
    expect(args.every((a) => a.index === 0)).toBe(true);
    expect(args.map((a) => a.function.arguments).join("")).toBe('{"city":"Paris"}');
    expect(frames.at(-2)?.[1]).toMatchObject({ choices: [{ delta: {}, finish_reason: "tool_calls" }] });
    expect(frames.at(-1)?.[1]).toBe("[DONE]");
  });

  it("answers 400 when the called tool is not offered, unless tool_unchecked=1", async () => {
    const body = (directive: string) => ({ model: "m", stream: true, tools: [OFFER("other")], messages: [{ role: "user", content: directive }] });
    const refused = await fetch(`${fake.url}/chat/completions`, { method: "POST", body: JSON.stringify(body("[[fake tool=weather]]")) });
    expect(refused.status).toBe(400);
    const error = ((await refused.json()) as { error: { type: string; param: string; message: string } }).error;
    expect(error).toMatchObject({ type: "invalid_request_error", param: "tools" });
    expect(error.message).toContain("'weather'");
    const unchecked = await sse("/chat/completions", body("[[fake tool=weather tool_unchecked=1]]"));
    expect(unchecked.status).toBe(200);
    expect(JSON.stringify(unchecked.frames)).toContain('"name":"weather"');

    const r = await run(compatible(), "[[fake tool=weather]]", { tools: ["other"] });
    expect(r.errors[0]).toBeInstanceOf(APICallError);
    expect((r.errors[0] as APICallError).statusCode).toBe(400);
  });
});

describe("Anthropic Messages API through the AI SDK", () => {
  it("streams thinking when asked, calls the tool with the scripted input, and answers with its output", async () => {
    const r = await run(
      anthropic(),
      'Weather? [[fake reasoning="Thinking hard." tool=weather tool_input={"city":"Paris"} text="Result: {{tool_output}}." chunk=3 delay=0]]',
      { tools: ["weather"], providerOptions: THINKING },
    );
    expect(r.errors).toEqual([]);
    expect(r.reasoning.join("")).toBe("Thinking hard.".repeat(2));
    expect(r.reasoning.length).toBe(2 * Math.ceil("Thinking hard.".length / 3));
    expect(r.signatures).toHaveLength(2);
    expect(r.signatures.every((s) => s.length > 0)).toBe(true);
    expect(r.toolCalls).toEqual([{ toolCallId: "toolu_fake_1", toolName: "weather", input: { city: "Paris" } }]);
    expect(r.calls).toEqual([{ name: "weather", input: { city: "Paris" } }]);
    expect(r.finishReasons).toEqual(["tool-calls", "stop"]);
    expect(r.text).toBe("Result: weather says Paris.");

    expect(r.requests).toHaveLength(2);
    expect(r.requests[0]).toMatchObject({ api: "anthropic", model: "claude-sonnet-4-5", stream: true, tools: ["weather"] });
    expect(r.requests[0]!.thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
    expect(r.requests[0]!.headers["x-api-key"]).toBe("x");
    const second = r.requests[1]!;
    expect(second.messages.find((m) => m.role === "assistant")?.toolCalls).toEqual([{ id: "toolu_fake_1", name: "weather" }]);
    expect(second.messages.at(-1)).toEqual({ role: "tool", content: "weather says Paris", toolCallId: "toolu_fake_1" });
  });

  it("does not think unless asked", async () => {
    const r = await run(anthropic(), '[[fake reasoning="secret thoughts" tool=weather text="Done: {{tool_output}}" delay=0]]', {
      tools: ["weather"],
    });
    expect(r.errors).toEqual([]);
    expect(r.reasoning).toEqual([]);
    expect(r.types).not.toContain("reasoning-start");
    expect(r.requests[0]!.thinking).toBeUndefined();
    expect(r.toolCalls).toEqual([{ toolCallId: "toolu_fake_1", toolName: "weather", input: {} }]);
    expect(r.text).toBe("Done: weather says hi");
  });

  it("makes two calls in one response, then a follow-up call, then answers with every output", async () => {
    const r = await run(
      anthropic(),
      '[[fake tool=weather tool_input={"city":"Oslo"} tool2=time tool_then=news tool_text="Checking. " text="1={{tool_output_1}} 2={{tool_output_2}} last={{tool_output}}" delay=0]]',
      { tools: ["weather", "time", "news"], providerOptions: THINKING },
    );
    expect(r.errors).toEqual([]);
    expect(r.toolCalls.map((c) => [c.toolCallId, c.toolName])).toEqual([
      ["toolu_fake_1", "weather"],
      ["toolu_fake_2", "time"],
      ["toolu_fake_3", "news"],
    ]);
    expect(r.stepTexts).toEqual(["Checking. ", "Checking. ", "1=weather says Oslo 2=time says hi last=news says hi"]);
    expect(r.requests[1]!.messages.filter((m) => m.role === "tool").map((m) => m.toolCallId)).toEqual(["toolu_fake_1", "toolu_fake_2"]);
  });

  it("sends Anthropic's event stream", async () => {
    const { status, frames } = await sse(
      "/messages",
      {
        model: "claude-x",
        max_tokens: 100,
        stream: true,
        thinking: { type: "enabled", budget_tokens: 1024 },
        tools: [{ name: "weather", input_schema: { type: "object" } }],
        messages: [{ role: "user", content: [{ type: "text", text: '[[fake reasoning=hmm tool=weather tool_input={"a":1} tool_text=Hi chunk=4 delay=0]]' }] }],
      },
      { "x-api-key": "k", "anthropic-version": "2023-06-01" },
    );
    expect(status).toBe(200);
    for (const [event, data] of frames) expect((data as { type: string }).type).toBe(event);
    const summary = frames.map(([event, data]) => {
      const d = data as { delta?: { type: string }; content_block?: { type: string } };
      return d.delta?.type ?? d.content_block?.type ?? event;
    });
    expect(summary).toEqual([
      "message_start",
      "ping",
      "thinking",
      "thinking_delta",
      "signature_delta",
      "content_block_stop",
      "text",
      "text_delta",
      "content_block_stop",
      "tool_use",
      "input_json_delta",
      "input_json_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(frames[9]![1]).toMatchObject({ index: 2, content_block: { type: "tool_use", id: "toolu_fake_1", name: "weather", input: {} } });
    expect(frames.at(-2)![1]).toMatchObject({ delta: { stop_reason: "tool_use" }, usage: { output_tokens: 5 } });
  });

  it("answers errors in Anthropic's shape: status, require_auth, non-streaming, tools not offered", async () => {
    const post = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      fetch(`${fake.url}/messages`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
    const msg = (directive: string) => ({ model: "c", max_tokens: 10, stream: true, messages: [{ role: "user", content: directive }] });

    const limited = await post(msg("[[fake status=429 retry_after=0]]"));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("0");
    expect(await limited.json()).toEqual({ type: "error", error: { type: "rate_limit_error", message: "Rate limit reached" } });

    expect((await post(msg("[[fake require_auth=k]]"), { "x-api-key": "wrong" })).status).toBe(401);
    expect((await post(msg("[[fake require_auth=k]]"), { "x-api-key": "k" })).status).toBe(200);
    expect((await post({ ...msg("hi"), stream: false })).status).toBe(400);
    const notOffered = await post(msg("[[fake tool=weather]]"));
    expect(notOffered.status).toBe(400);
    const error = (await notOffered.json()) as { type: string; error: { type: string; message: string } };
    expect(error).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(error.error.message).toContain("'weather'");

    const r = await run(anthropic("wrong"), "[[fake require_auth=k]]");
    expect((r.errors[0] as APICallError).statusCode).toBe(401);
  });

  it("stall_after counts thinking chunks: the answer hangs mid-thought until aborted", async () => {
    const ac = new AbortController();
    const result = streamText({
      model: anthropic(),
      prompt: '[[fake reasoning="abcdefgh" text=never chunk=2 stall_after=2 delay=0]]',
      providerOptions: THINKING,
      abortSignal: ac.signal,
      maxRetries: 0,
      onError: () => {},
    });
    const reasoning: string[] = [];
    const types: string[] = [];
    for await (const part of result.fullStream) {
      types.push(part.type);
      if (part.type === "reasoning-delta") {
        reasoning.push(part.text);
        if (reasoning.length === 2) setTimeout(() => ac.abort(), 50);
      }
    }
    expect(reasoning).toEqual(["ab", "cd"]);
    expect(types).not.toContain("text-delta");
    expect(types).toContain("abort");
  });
});
