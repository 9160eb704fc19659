/**
 * What the simulated clients ask for: a `[[fake ...]]` directive with a random length and
 * pace, whose text carries the message's own id so that every answer is unique, and the exact
 * text the fake model will stream for it (computed by the fake server's own parser).
 */
import { parseDirective, scriptedText } from "../../test/support/fake-openai.ts";


// Multi-unit code points on purpose (astral emoji, a ZWJ family, combining marks, CJK): a
// position counted in anything but code points would lose or double part of them.
const WORDS = [
  "poll", "token", "answer", "position", "append", "lease", "runner", "batch", "naïve", "café",
  "e\u0301te\u0301", "漢字", "한국어", "😀", "👍🏽", "👩‍👩‍👧", "𝔸𝕓𝒸", "مرحبا", "שלום", "ﬁn",
];

export interface PlannedAnswer {
  /** The user message to send. */
  content: string;
  /** The text the fake model streams for it. */
  expected: string;
  /** Roughly how long the fake model takes to stream it. */
  approxMs: number;
}

export interface AnswerShape {
  /** Answer length in UTF-16 units, roughly uniform in [min, max]. */
  minChars: number;
  maxChars: number;
  /** Streaming time, roughly uniform in [min, max]. */
  minMs: number;
  maxMs: number;
}

export const DEFAULT_SHAPE: AnswerShape = { minChars: 200, maxChars: 3000, minMs: 1000, maxMs: 10_000 };

export function planAnswer(rand: () => number, id: string, shape: AnswerShape = DEFAULT_SHAPE): PlannedAnswer {
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const words = Array.from({ length: between(4, 14) }, () => WORDS[Math.floor(rand() * WORDS.length)]);
  const base = `<${id}> ${words.join(" ")}. `;
  const target = between(shape.minChars, shape.maxChars);
  const repeat = Math.max(1, Math.round(target / base.length));
  const chunk = between(2, 12);
  const chunks = Math.ceil((base.length * repeat) / chunk);
  const approxMs = between(shape.minMs, shape.maxMs);
  const delay = Math.max(1, Math.round(approxMs / chunks));
  const content = `Soak message ${id}. [[fake text="${base}" repeat=${repeat} chunk=${chunk} delay=${delay}]]`;
  return { content, expected: scriptedText(parseDirective(content)), approxMs: delay * chunks };
}

/** Length in code points, as positions count (docs/design.md §2: PostgreSQL's length()). */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    n++;
  }
  return n;
}
