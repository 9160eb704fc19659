/**
 * Built-in demo language model, used when no real model is configured.
 *
 * Implements the AI SDK LanguageModelV4 spec directly (no provider package):
 * it streams a plausible, prompt-dependent Markdown answer token by token at a
 * realistic pace, honours abort signals and reports usage estimated from
 * characters / 4.
 */
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  LanguageModelV4Usage,
  SharedV4Warning,
} from "@ai-sdk/provider";
import { seededRandom } from "../random";
import { filesInText } from "../generation/prompt";

export type DemoModelOptions = {
  /** Average streaming speed. Default 45 tokens/s (with ±25% jitter per token). */
  tokensPerSecond?: number;
  /** Delay before the first token. Default 300 ms (with a little jitter). */
  firstTokenDelayMs?: number;
  /** Source of randomness (defaults to Math.random); inject a seeded one for deterministic tests. */
  random?: () => number;
};

export const DEMO_MODEL_ID = "demo";
export const DEMO_PROVIDER = "demo";

export const DEMO_DISCLAIMER =
  "_This is the built-in demo model: no real model is configured. Set `OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, `OPENAI_COMPATIBLE_BASE_URL` or `AI_GATEWAY_API_KEY` to use one._";

const DEFAULT_TOKENS_PER_SECOND = 45;
const DEFAULT_FIRST_TOKEN_DELAY_MS = 300;

export function createDemoModel(opts: DemoModelOptions = {}): LanguageModelV4 {
  const random = opts.random ?? Math.random;
  const tokensPerSecond =
    opts.tokensPerSecond !== undefined && opts.tokensPerSecond > 0
      ? opts.tokensPerSecond
      : DEFAULT_TOKENS_PER_SECOND;
  const firstTokenDelayMs = Math.max(0, opts.firstTokenDelayMs ?? DEFAULT_FIRST_TOKEN_DELAY_MS);

  function respond(options: LanguageModelV4CallOptions) {
    const { lastUser, all, system, prefill } = readPrompt(options.prompt);
    const title = isTitleRequest(system, lastUser);
    // Exactly one random() call here, before any pacing jitter, so the text is the
    // same for doStream and doGenerate given the same random sequence. A final assistant
    // message is a prefill: the answer that begins with it goes on (docs/design.md §5.3).
    const text = title ? makeTitle(lastUser) : prefill !== undefined ? continueAnswer(lastUser, prefill) : makeAnswer(lastUser, random);
    return { text, title, usage: estimateUsage(all, text), warnings: collectWarnings(options) };
  }

  return {
    specificationVersion: "v4",
    provider: DEMO_PROVIDER,
    modelId: DEMO_MODEL_ID,
    supportedUrls: {},

    async doGenerate(options): Promise<LanguageModelV4GenerateResult> {
      options.abortSignal?.throwIfAborted();
      const { text, usage, warnings } = respond(options);
      return {
        content: [{ type: "text", text }],
        finishReason: { unified: "stop", raw: "stop" },
        usage,
        warnings,
        response: { id: responseId(random), modelId: DEMO_MODEL_ID, timestamp: new Date() },
      };
    },

    async doStream(options): Promise<LanguageModelV4StreamResult> {
      const signal = options.abortSignal;
      // Like fetch(): an already-aborted signal rejects the call with its reason.
      signal?.throwIfAborted();
      const { text, title, usage, warnings } = respond(options);
      const id = responseId(random);
      const pieces = tokenize(text);

      let timer: ReturnType<typeof setTimeout> | undefined;
      let done = false;
      let onAbort: (() => void) | undefined;
      const cleanup = () => {
        done = true;
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        if (onAbort) signal?.removeEventListener("abort", onAbort);
      };

      const stream = new ReadableStream<LanguageModelV4StreamPart>({
        start(controller) {
          onAbort = () => {
            if (done) return;
            cleanup();
            // Same as a fetch-based provider: the body stream errors with the abort reason.
            controller.error(signal?.reason ?? abortError());
          };
          signal?.addEventListener("abort", onAbort, { once: true });

          controller.enqueue({ type: "stream-start", warnings });
          controller.enqueue({
            type: "response-metadata",
            id,
            modelId: DEMO_MODEL_ID,
            timestamp: new Date(),
          });

          const finish = () => {
            cleanup();
            controller.enqueue({ type: "text-end", id: "0" });
            controller.enqueue({
              type: "finish",
              finishReason: { unified: "stop", raw: "stop" },
              usage,
            });
            controller.close();
          };

          if (title) {
            // Titles come back at once: no artificial latency.
            controller.enqueue({ type: "text-start", id: "0" });
            for (const delta of pieces) controller.enqueue({ type: "text-delta", id: "0", delta });
            finish();
            return;
          }

          // Absolute schedule: each token gets a due time; every timer tick emits all
          // tokens that are due, so high rates (e.g. 1000 tok/s) are not capped by
          // timer granularity.
          const start = performance.now();
          const meanGap = 1000 / tokensPerSecond;
          let due = firstTokenDelayMs * (0.85 + 0.3 * random());
          let index = 0;
          let started = false;

          const tick = () => {
            timer = undefined;
            if (done) return;
            const now = performance.now() - start;
            while (index < pieces.length && due <= now) {
              if (!started) {
                controller.enqueue({ type: "text-start", id: "0" });
                started = true;
              }
              controller.enqueue({ type: "text-delta", id: "0", delta: pieces[index]! });
              index += 1;
              due += meanGap * (0.75 + 0.5 * random());
            }
            if (index >= pieces.length) {
              if (!started) controller.enqueue({ type: "text-start", id: "0" });
              finish();
              return;
            }
            timer = setTimeout(tick, Math.max(0, due - (performance.now() - start)));
          };
          timer = setTimeout(tick, Math.max(0, due));
        },
        cancel() {
          cleanup();
        },
      });

      return { stream, request: { body: { demo: true } } };
    },
  };
}

// ---------------------------------------------------------------------------
// Prompt handling

function readPrompt(prompt: LanguageModelV4Prompt) {
  const all: string[] = [];
  const system: string[] = [];
  let lastUser = "";
  let prefill: string | undefined;
  for (const message of prompt) {
    prefill = undefined;
    if (message.role === "system") {
      all.push(message.content);
      system.push(message.content);
      continue;
    }
    const texts: string[] = [];
    for (const part of message.content) {
      if (part.type === "text" || part.type === "reasoning") texts.push(part.text);
    }
    const text = texts.join("\n");
    all.push(text);
    if (message.role === "user") lastUser = text;
    if (message.role === "assistant") prefill = text;
  }
  return { lastUser: lastUser.trim(), all: all.join("\n"), system: system.join("\n"), prefill };
}

const TITLE_INSTRUCTION = /\b(write|generate|give|suggest|create|make)\b[^.\n]{0,40}\btitle\b/i;

function isTitleRequest(system: string, lastUser: string): boolean {
  if (/write a short title/i.test(system)) return true;
  return TITLE_INSTRUCTION.test(lastUser.slice(0, 80)) && /^\s*\S+/.test(lastUser);
}

function estimateUsage(input: string, output: string): LanguageModelV4Usage {
  const inputTokens = Math.ceil(input.length / 4);
  const outputTokens = Math.ceil(output.length / 4);
  return {
    inputTokens: { total: inputTokens, noCache: inputTokens, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: outputTokens, text: outputTokens, reasoning: 0 },
    raw: { estimated: true, method: "chars/4", inputChars: input.length, outputChars: output.length },
  };
}

function collectWarnings(options: LanguageModelV4CallOptions): SharedV4Warning[] {
  const warnings: SharedV4Warning[] = [];
  if (options.tools && options.tools.length > 0) {
    warnings.push({ type: "unsupported", feature: "tools", details: "The demo model never calls tools." });
  }
  if (options.responseFormat?.type === "json") {
    warnings.push({ type: "unsupported", feature: "responseFormat", details: "The demo model only produces Markdown text." });
  }
  return warnings;
}

function abortError(): Error {
  return new DOMException("This operation was aborted", "AbortError");
}

function responseId(random: () => number): string {
  return `demo-${Math.floor(random() * 0xffffffff).toString(36)}`;
}

/** Word-ish pieces, each carrying its leading whitespace; long words are split. */
export function tokenize(text: string): string[] {
  const pieces: string[] = [];
  for (const match of text.matchAll(/\s*\S+|\s+$/g)) {
    const piece = match[0];
    const lead = /^\s*/.exec(piece)?.[0] ?? "";
    const word = piece.slice(lead.length);
    if (word.length <= 10) {
      pieces.push(piece);
      continue;
    }
    let first = true;
    for (let i = 0; i < word.length; i += 7) {
      pieces.push((first ? lead : "") + word.slice(i, i + 7));
      first = false;
    }
  }
  return pieces;
}

// ---------------------------------------------------------------------------
// Text generation

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}


const STOPWORDS = new Set(
  (
    "a an the and or but if then else of to in on at by for with from into onto about as is are was were be been being " +
    "do does did done doing have has had having i me my mine we us our you your yours he she it its they them their " +
    "this that these those there here what which who whom whose when where why how can could should would will shall " +
    "may might must please tell explain show give help want need like just some any all more most other such so than " +
    "too very really also not no yes ok okay hi hello hey thanks thank write make get let know think use using way " +
    "between vs versus difference best good better quick short simple example examples"
  ).split(" "),
);

function words(text: string): string[] {
  return text.match(/[\p{L}\p{N}][\p{L}\p{N}'+#.-]*/gu)?.map((w) => w.replace(/[.'-]+$/, "")) ?? [];
}

function keywords(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const w of words(text)) {
    const lower = w.toLowerCase();
    if (STOPWORDS.has(lower) || seen.has(lower) || lower.length < 2) continue;
    seen.add(lower);
    out.push(w);
  }
  return out;
}

/** A short, Markdown-safe phrase echoing the user's words. */
function topicOf(prompt: string): string {
  const kw = keywords(prompt).slice(0, 4);
  if (kw.length === 0) return "your question";
  return kw.join(" ").replace(/[`*_|<>[\]\\]/g, "");
}

function titleCase(word: string): string {
  if (/[A-Z]/.test(word.slice(1)) || /\d/.test(word)) return word; // keep acronyms, versions
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

/**
 * A title from the question: its own words when it is short ("Name My Cat"), else its first
 * keywords. The answer (title prompts often carry it as "Assistant: ...") is used only when the
 * question has no words to go on, and never its boilerplate (the demo disclaimer).
 */
export function makeTitle(prompt: string): string {
  // If the instruction itself is in the user message, keep only what follows it.
  let source = prompt;
  const instruction = TITLE_INSTRUCTION.exec(source.slice(0, 80));
  if (instruction) {
    const rest = source.slice(instruction.index + instruction[0].length);
    const sep = rest.search(/[:\n]/);
    source = sep >= 0 ? rest.slice(sep + 1) : rest.replace(/^\s*(for|of|about)\b/i, "");
  }
  const [asked = "", answered = ""] = source.split(/^\s*assistant\s*:/im, 2);
  const question = asked.replace(/^\s*user\s*:/i, " ").trim();
  const answer = answered.replace(DEMO_DISCLAIMER, " ");
  const clean = (list: string[]) =>
    list
      .map((w) => w.replace(/[`*_|<>[\]\\"]/g, ""))
      .filter(Boolean)
      .map(titleCase);
  const questionWords = clean(words(question));
  const kw = clean(keywords(question)).slice(0, 5);
  if (questionWords.length >= 2 && questionWords.length <= 5 && kw.length <= 3) return questionWords.join(" ");
  if (kw.length === 0) kw.push(...clean(keywords(answer)).slice(0, 4));
  if (kw.length === 0) return "New Demo Chat";
  if (kw.length === 1) return `Question About ${kw[0]}`;
  if (kw.length === 2) return `${kw[0]} ${kw[1]} Question`;
  return kw.join(" ");
}

type Lang = { fence: string; name: string; snippet: (topic: string) => string };

const LANGS: Array<{ test: RegExp; lang: Lang }> = [
  {
    test: /\b(python|py|pandas|django|flask|numpy|pip)\b/i,
    lang: {
      fence: "python",
      name: "Python",
      snippet: (t) =>
        `def main() -> None:\n    # ${t}\n    items = load_items()\n    result = [process(item) for item in items]\n    print(f"done: {len(result)} items")\n\n\nif __name__ == "__main__":\n    main()`,
    },
  },
  {
    test: /\b(rust|cargo|crate)\b/i,
    lang: {
      fence: "rust",
      name: "Rust",
      snippet: (t) =>
        `// ${t}\nfn main() -> Result<(), Box<dyn std::error::Error>> {\n    let items = load_items()?;\n    let total: usize = items.iter().map(process).sum();\n    println!("done: {total}");\n    Ok(())\n}`,
    },
  },
  {
    test: /\b(golang|go)\b/i,
    lang: {
      fence: "go",
      name: "Go",
      snippet: (t) =>
        `// ${t}\nfunc main() {\n\titems, err := loadItems()\n\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n\tfor _, item := range items {\n\t\tprocess(item)\n\t}\n}`,
    },
  },
  {
    test: /\b(sql|postgres|postgresql|mysql|sqlite|database|query|table)\b/i,
    lang: {
      fence: "sql",
      name: "SQL",
      snippet: (t) =>
        `-- ${t}\nSELECT id, name, created_at\nFROM items\nWHERE created_at > now() - interval '7 days'\nORDER BY created_at DESC\nLIMIT 20;`,
    },
  },
  {
    test: /\b(bash|shell|terminal|linux|command|cli|script|git|docker)\b/i,
    lang: {
      fence: "bash",
      name: "the shell",
      snippet: (t) =>
        `# ${t}\nset -euo pipefail\nmkdir -p ./out\nfor f in ./input/*; do\n  echo "processing $f"\ndone`,
    },
  },
  {
    test: /\b(css|style|styles|layout|flexbox|grid)\b/i,
    lang: {
      fence: "css",
      name: "CSS",
      snippet: (t) =>
        `/* ${t} */\n.container {\n  display: flex;\n  gap: 1rem;\n  align-items: center;\n}`,
    },
  },
  {
    test: /\b(java|spring|kotlin)\b/i,
    lang: {
      fence: "java",
      name: "Java",
      snippet: (t) =>
        `// ${t}\npublic class Main {\n    public static void main(String[] args) {\n        var items = Items.load();\n        items.forEach(Main::process);\n    }\n}`,
    },
  },
  {
    test: /\b(javascript|js|node|nodejs|npm|react|browser)\b/i,
    lang: {
      fence: "js",
      name: "JavaScript",
      snippet: (t) =>
        `// ${t}\nasync function main() {\n  const items = await loadItems();\n  const results = items.map(process);\n  console.log(\`done: \${results.length} items\`);\n}\n\nmain();`,
    },
  },
];

const DEFAULT_LANG: Lang = {
  fence: "ts",
  name: "TypeScript",
  snippet: (t) =>
    `// ${t}\nexport async function main(): Promise<void> {\n  const items = await loadItems();\n  const results = items.map((item) => process(item));\n  console.log(\`done: \${results.length} items\`);\n}`,
};

function guessLang(prompt: string): Lang {
  return LANGS.find((l) => l.test.test(prompt))?.lang ?? DEFAULT_LANG;
}

type Pick = <T>(options: readonly T[]) => T;

type Shape = (ctx: { topic: string; prompt: string; pick: Pick }) => string;

const SHAPES: Shape[] = [
  // 1. Short explanation with a bulleted list.
  ({ topic, pick }) => {
    const opener = pick([
      `Good question. When it comes to **${topic}**, the key idea is to start from what you actually need and work backwards from there.`,
      `Here is a quick overview of **${topic}**. Most of the confusion around it goes away once you separate the concepts from the tooling.`,
      `**${topic}** is easier to reason about if you break it into a few moving parts.`,
    ]);
    const bullets = pick([
      [
        "**Start small**: get a minimal version working before adding options.",
        "**Be explicit**: name inputs and outputs so the intent is obvious.",
        "**Measure**: check the result against a concrete example, not a guess.",
        "**Iterate**: refine once you see where the real friction is.",
      ],
      [
        "**Context matters**: the right answer depends on your constraints.",
        "**Trade-offs**: simplicity usually beats cleverness in the long run.",
        "**Edge cases**: think about empty input, errors and very large input.",
      ],
    ]);
    const closer = pick([
      `If you share a bit more about your setup, I can tailor this to your case.`,
      `In short: keep it simple, verify each step, and only then optimise.`,
    ]);
    return `${opener}\n\n${bullets.map((b) => `- ${b}`).join("\n")}\n\n${closer}`;
  },

  // 2. Numbered how-to with a fenced code block.
  ({ topic, prompt, pick }) => {
    const lang = guessLang(prompt);
    const intro = pick([
      `Here's a straightforward way to approach **${topic}** in ${lang.name}:`,
      `You can handle **${topic}** in a few steps. A ${lang.name} sketch:`,
    ]);
    const steps = pick([
      [
        "Set up the inputs and make sure they are in the shape you expect.",
        "Process each item in a small, testable function.",
        "Collect the results and report anything that failed.",
      ],
      [
        "Load the data you need and validate it early.",
        "Apply the transformation, keeping side effects at the edges.",
        "Print or return the result so you can check it quickly.",
      ],
    ]);
    const outro = pick([
      "Adapt the names to your project; the structure is what matters.",
      "Once this works, add error handling and tests around the processing step.",
    ]);
    return `${intro}\n\n${steps.map((s, i) => `${i + 1}. ${s}`).join("\n")}\n\n\`\`\`${lang.fence}\n${lang.snippet(topic)}\n\`\`\`\n\n${outro}`;
  },

  // 3. Comparison table.
  ({ topic, pick }) => {
    const intro = pick([
      `There are a couple of common approaches to **${topic}**. Here's how they compare:`,
      `It depends on what you optimise for. A quick comparison for **${topic}**:`,
    ]);
    const rows = pick([
      [
        ["Simple / built-in", "Easy to start, few moving parts", "Limited flexibility"],
        ["Library-based", "Well tested, rich features", "Extra dependency to learn"],
        ["Custom solution", "Fits your exact needs", "More code to maintain"],
      ],
      [
        ["Manual", "Full control, no setup", "Slow and error-prone at scale"],
        ["Automated", "Fast and repeatable", "Needs upfront configuration"],
        ["Hybrid", "Balanced effort", "Two workflows to keep in sync"],
      ],
    ]);
    const table = [
      "| Approach | Pros | Cons |",
      "| --- | --- | --- |",
      ...rows.map((r) => `| ${r.join(" | ")} |`),
    ].join("\n");
    const closer = pick([
      "**Recommendation:** start with the simplest option and switch only when you hit a real limit.",
      "**Rule of thumb:** pick the option your team can maintain comfortably six months from now.",
    ]);
    return `${intro}\n\n${table}\n\n${closer}`;
  },

  // 4. Short answer with a blockquote.
  ({ topic, pick }) => {
    const answer = pick([
      `**Short answer:** yes, for most cases, though **${topic}** has a few caveats worth knowing.`,
      `**Short answer:** it depends, but for **${topic}** the pragmatic choice is usually the simplest one.`,
    ]);
    const quote = pick([
      "> Make it work, make it right, make it fast, in that order.",
      "> Premature optimization is the root of all evil.",
      "> Simple things should be simple, complex things should be possible.",
    ]);
    const body = pick([
      "In practice that means getting a correct version first, then looking at measurements before changing anything. Most problems turn out to be simpler than they first appear, and the ones that aren't become obvious quickly once you have something running.",
      "Keep the first version boring and easy to read. When something does need to be faster or more flexible, you will know exactly where, and the change will be much smaller than a speculative redesign.",
    ]);
    return `${answer}\n\n${quote}\n\n${body}`;
  },

  // 5. Sections with headings and inline code.
  ({ topic, pick }) => {
    const overview = pick([
      `**${topic}** comes up a lot, so here's a structured take.`,
      `Let's break **${topic}** down into what it is and how to use it well.`,
    ]);
    const what = pick([
      "At its core it is about turning a vague goal into a small set of concrete, checkable steps.",
      "It is mostly about clear boundaries: what goes in, what comes out, and what can go wrong.",
    ]);
    const tips = pick([
      "Keep configuration in one place, for example a single `config` object, and log the values you actually use.",
      "Write one small test that captures the behaviour you care about, then change code with confidence.",
    ]);
    return `${overview}\n\n### What it is\n\n${what}\n\n### Practical tips\n\n${tips} Avoid over-engineering early; *clarity* beats cleverness.\n\n### Next steps\n\nTry it on a small example first, then scale up.`;
  },
];

/** How many answers the demo model has per question (a continuation finds the one it began). */
const VARIANTS = 64;

export function makeAnswer(prompt: string, random: () => number = Math.random): string {
  return answerVariant(prompt, Math.floor(random() * VARIANTS));
}

/**
 * The rest of the answer that begins with `prefix`: what a model given its own interrupted
 * answer as a prefill writes. A prefix none of the answers begins with gets a short ending.
 */
export function continueAnswer(prompt: string, prefix: string): string {
  for (let v = 0; v < VARIANTS; v++) {
    const answer = answerVariant(prompt, v);
    if (answer.startsWith(prefix)) return answer.slice(prefix.length);
  }
  return "\n\nThat is all I had to add here.";
}

function answerVariant(text: string, variant: number): string {
  // Files come to it as their text or a line saying it was not given them (it reads no images):
  // it names them, and answers the message itself.
  const { names, message } = filesInText(text);
  const prompt = message.trim() || (names.length ? `the attached ${names.join(" and ")}` : text);
  const files = names.length
    ? `You attached ${names.map((n) => `**${n}**`).join(", ")}. I am only the demo model: I read the text of what I was given and cannot look at images.\n\n`
    : "";
  const normalized = prompt.trim().toLowerCase().replace(/\s+/g, " ");
  const h = hash(normalized);
  const shape = SHAPES[h % SHAPES.length]!;
  const rng = seededRandom(h ^ Math.imul(variant + 1, 0x9e3779b1));
  const pick: Pick = (options) => options[Math.floor(rng() * options.length)]!;
  const topic = topicOf(prompt);
  const followUp = pick([
    `Want me to go deeper on **${topic}**, or walk through a concrete example step by step?`,
    `Happy to expand on any part of this: just tell me which detail about **${topic}** matters most to you.`,
    `If you describe your constraints (scale, tooling, deadlines), I can give a more specific recommendation.`,
  ]);
  return `${DEMO_DISCLAIMER}\n\n${files}${shape({ topic, prompt, pick })}\n\n${followUp}`;
}
