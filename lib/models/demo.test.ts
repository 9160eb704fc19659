import { generateText, streamText, type ModelMessage } from "ai";
import { describe, expect, it } from "vitest";
import { continueAnswer, createDemoModel, DEMO_DISCLAIMER, makeAnswer, makeTitle } from "./demo";
import { seededRandom } from "../random";


const fast = (seed = 1) =>
  createDemoModel({ tokensPerSecond: 1000, firstTokenDelayMs: 0, random: seededRandom(seed) });

const user = (text: string): ModelMessage[] => [{ role: "user", content: text }];

function shapeOf(text: string): string {
  if (text.includes("```")) return "code";
  if (/^\| --- /m.test(text)) return "table";
  if (/^> /m.test(text)) return "quote";
  if (/^### /m.test(text)) return "sections";
  if (/^- /m.test(text)) return "bullets";
  return "plain";
}

async function streamAll(text: string, seed = 1, system?: string) {
  const result = streamText({ model: fast(seed), messages: user(text), system });
  const deltas: string[] = [];
  for await (const part of result.fullStream) {
    if (part.type === "text-delta") deltas.push(part.text);
  }
  return { result, deltas, text: deltas.join("") };
}

describe("demo model", () => {
  it("implements the v4 spec", () => {
    const model = createDemoModel();
    expect(model.specificationVersion).toBe("v4");
    expect(model.provider).toBe("demo");
    expect(model.modelId).toBe("demo");
  });

  it("streams the same text as doGenerate for the same prompt and seed", async () => {
    const prompt = "How do I reverse a linked list in Python?";
    const { text, deltas } = await streamAll(prompt, 7);
    const generated = await generateText({ model: fast(7), messages: user(prompt) });
    expect(text).toBe(generated.text);
    expect(deltas.length).toBeGreaterThan(50); // token by token, not one blob
    const words = text.split(/\s+/).length;
    expect(words).toBeGreaterThanOrEqual(80);
    expect(words).toBeLessThanOrEqual(250);
  });

  it("opens with the demo disclaimer and contains Markdown echoing the prompt", async () => {
    const { text } = await streamAll("Explain React server components");
    expect(text.startsWith(DEMO_DISCLAIMER)).toBe(true);
    expect(text.split("\n")[0]).toMatch(/built-in demo model/);
    expect(text).toMatch(/OPENAI_API_KEY.*ANTHROPIC_API_KEY.*OPENAI_COMPATIBLE_BASE_URL.*AI_GATEWAY_API_KEY/);
    expect(text).toMatch(/\*\*[^*]+\*\*/); // bold
    expect(shapeOf(text)).not.toBe("plain");
    expect(text).toContain("React server components");
  });

  it("picks different answer shapes for different prompts", async () => {
    const a = await streamAll("Explain React server components");
    const b = await streamAll("What is the difference between REST and GraphQL?");
    expect(shapeOf(a.text)).toBe("code");
    expect(a.text).toMatch(/```js\n/); // language guessed from "React"
    expect(shapeOf(b.text)).toBe("bullets");
    const prompts = [
      "How do I reverse a linked list in Python?",
      "Should I use Postgres or SQLite for a small app?",
      "why is the sky blue",
      "Explain React server components",
      "What is the difference between REST and GraphQL?",
    ];
    const shapes = await Promise.all(
      prompts.map(async (p) => shapeOf((await generateText({ model: fast(), messages: user(p) })).text)),
    );
    expect(new Set(shapes).size).toBe(5);
  });

  it("is deterministic for a given seed", async () => {
    const a = await streamAll("best way to learn rust", 3);
    const b = await streamAll("best way to learn rust", 3);
    expect(a.deltas).toEqual(b.deltas);
  });

  it("emits the v4 stream parts in order", async () => {
    const { stream } = await fast().doStream({ prompt: [{ role: "user", content: [{ type: "text", text: "hi" }] }] });
    const types: string[] = [];
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      types.push(value.type);
    }
    const compact = types.filter((t, i) => t !== "text-delta" || types[i - 1] !== "text-delta");
    expect(compact).toEqual(["stream-start", "response-metadata", "text-start", "text-delta", "text-end", "finish"]);
  });

  it("paces tokens: first token after the configured delay, 1000 tok/s is fast", async () => {
    const model = createDemoModel({ tokensPerSecond: 1000, random: seededRandom(2) }); // default first-token delay
    const start = performance.now();
    const result = streamText({ model, messages: user("What is the difference between REST and GraphQL?") });
    let first = -1;
    for await (const part of result.fullStream) {
      if (part.type === "text-delta" && first < 0) first = performance.now() - start;
    }
    const total = performance.now() - start;
    expect(first).toBeGreaterThanOrEqual(240);
    expect(total).toBeLessThan(900);
  });

  it("stops within 100 ms on abort and streamText reports the abort", async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const baselineTimers = timers();
    const controller = new AbortController();
    const model = createDemoModel({ tokensPerSecond: 40, firstTokenDelayMs: 0, random: seededRandom(5) });
    let onErrorCalled = false;
    let abortEvent: unknown;
    const result = streamText({
      model,
      messages: user("Explain React server components"),
      abortSignal: controller.signal,
      onError: () => {
        onErrorCalled = true;
      },
      onAbort: (event) => {
        abortEvent = event;
      },
    });
    const parts: string[] = [];
    let abortedAt = 0;
    let deltas = 0;
    let deltasAfterAbort = 0;
    for await (const part of result.fullStream) {
      parts.push(part.type);
      if (part.type === "text-delta") {
        if (abortedAt) deltasAfterAbort++;
        else if (++deltas === 3) {
          controller.abort();
          abortedAt = performance.now();
        }
      }
    }
    expect(performance.now() - abortedAt).toBeLessThan(100);
    expect(deltasAfterAbort).toBe(0);
    expect(timers()).toBeLessThanOrEqual(baselineTimers); // pacing timer cleared: nothing keeps the process alive
    expect(parts.at(-1)).toBe("abort");
    expect(parts).not.toContain("finish");
    expect(onErrorCalled).toBe(false);
    expect(abortEvent).toBeDefined();
    await expect(result.text).rejects.toMatchObject({ name: "AbortError" });
  });

  it("rejects immediately when the signal is already aborted", async () => {
    const model = fast();
    const signal = AbortSignal.abort();
    await expect(
      model.doStream({ prompt: [{ role: "user", content: [{ type: "text", text: "hi" }] }], abortSignal: signal }),
    ).rejects.toMatchObject({ name: "AbortError" });
  });

  it("reports usage estimated from characters / 4", async () => {
    const prompt = "Should I use Postgres or SQLite for a small app?";
    const system = "You are a helpful assistant.";
    const result = streamText({ model: fast(), messages: user(prompt), system });
    let finishTotal: unknown;
    for await (const part of result.fullStream) if (part.type === "finish") finishTotal = part.totalUsage;
    const text = await result.text;
    const usage = await result.usage;
    const input = Math.ceil((system + "\n" + prompt).length / 4);
    const output = Math.ceil(text.length / 4);
    expect(usage.inputTokens).toBe(input);
    expect(usage.outputTokens).toBe(output);
    expect(usage.totalTokens).toBe(input + output);
    expect(usage.raw).toMatchObject({ estimated: true });
    expect(finishTotal).toMatchObject({ inputTokens: input, outputTokens: output });
  });

  it("answers title requests with a short title, quickly", async () => {
    const model = createDemoModel({ random: seededRandom(9) }); // default (slow) pacing
    const start = performance.now();
    const result = streamText({
      model,
      system: "Write a short title (3-6 words) for this conversation. Reply with the title only.",
      messages: user("How do I reverse a linked list in Python?"),
    });
    const title = await result.text;
    expect(performance.now() - start).toBeLessThan(100);
    expect(title).toBe("Reverse Linked List Python");
    const generated = await generateText({
      model,
      system: "Write a short title for the chat.",
      messages: user("hello, can you compare REST and GraphQL for me"),
    });
    const words = generated.text.split(/\s+/);
    expect(words.length).toBeGreaterThanOrEqual(3);
    expect(words.length).toBeLessThanOrEqual(6);
    expect(generated.text).not.toContain("demo");
  });
});

describe("demo titles", () => {
  // The title prompt carries the first exchange; the demo answer opens with its disclaimer.
  const exchange = (question: string) => `User: ${question}\n\nAssistant: ${makeAnswer(question, seededRandom(3))}`;

  it("come from the question, never from the answer's disclaimer", () => {
    expect(makeTitle(exchange("Name my cat"))).toBe("Name My Cat");
    expect(makeTitle(exchange("How do SQL joins work on the lite page?"))).toBe("SQL Joins Work Lite Page");
    for (const q of ["Name my cat", "How do SQL joins work on the lite page?", "hi", "Explain React server components"]) {
      const title = makeTitle(exchange(q));
      expect(title, q).not.toMatch(/demo|built-in|model|configured/i);
    }
  });

  it("fall back to the answer's content, not its boilerplate, when the question has no words", () => {
    const title = makeTitle(`User: ???\n\nAssistant: ${DEMO_DISCLAIMER}\n\nKubernetes clusters scale pods horizontally.`);
    expect(title).toBe("Kubernetes Clusters Scale Pods");
  });
});

describe("demo continuation", () => {
  it("goes on faithfully from any point of one of its answers, given it as a prefill", () => {
    for (const [i, q] of ["Explain React server components", "Name my cat", "How do SQL joins work?"].entries()) {
      const whole = makeAnswer(q, seededRandom(10 + i));
      // Near its end, the prefix tells which answer it was.
      expect(whole.slice(0, -3) + continueAnswer(q, whole.slice(0, -3)), q).toBe(whole);
      // Before that, several of its answers may begin so: any of them goes on from it, whole.
      for (const cut of [1, 57, Math.floor(whole.length / 2)]) {
        const rest = continueAnswer(q, whole.slice(0, cut));
        expect(rest, `${q} cut at ${cut}`).not.toMatch(/That is all I had to add/);
        expect(continueAnswer(q, whole.slice(0, cut) + rest.slice(0, -3)), `${q} cut at ${cut}`).toBe(rest.slice(-3));
      }
    }
  });

  it("ends briefly after a text that is none of its answers", () => {
    expect(continueAnswer("Name my cat", "Something else entirely")).toMatch(/^\n\n\S/);
  });
});
