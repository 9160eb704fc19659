/**
 * Going on from an interrupted attempt's text instead of starting over (docs/design.md §5.3).
 * Pure: which way a provider continues best, the messages that ask for it, and the joiner that
 * fits the model's continuation onto the text already written (no doubled words, no lost or
 * doubled whitespace).
 */
import type { ModelMessage } from "ai";
import type { ProviderName } from "../models/registry";
import type { ResumeMode } from "@/db/schema";

/**
 * Prefill: the text so far is sent as the final assistant message and the model goes on from
 * its last character (Anthropic does; so do vLLM, llama.cpp and SGLang with
 * `continue_final_message`, switched on by OPENAI_COMPATIBLE_CONTINUE; the demo model does).
 * Instruction: the text so far, then a user turn asking to continue; what the model repeats of
 * the end is trimmed. Restart is never chosen here: it is the last resort when a continuation is
 * refused (runner.ts).
 */
export function continuationMode(provider: ProviderName, opts: { compatibleContinues: boolean }): Exclude<ResumeMode, "restart"> {
  switch (provider) {
    case "demo":
    case "anthropic":
      return "prefill";
    case "compatible":
      return opts.compatibleContinues ? "prefill" : "instruction";
    case "openai":
    case "gateway":
      return "instruction";
  }
}

export const CONTINUE_INSTRUCTION =
  "Your previous answer was cut off. Continue it exactly where it stopped, from the next character: do not repeat any of it, do not comment, and keep the same format.";

/** The messages that follow the conversation so the model continues `carried`. */
export function continuationMessages(carried: string, mode: Exclude<ResumeMode, "restart">): ModelMessage[] {
  // Anthropic refuses a final assistant message that ends in whitespace; the joiner puts the
  // whitespace that was written back in its place.
  if (mode === "prefill") return [{ role: "assistant", content: carried.trimEnd() }];
  return [
    { role: "assistant", content: carried },
    { role: "user", content: CONTINUE_INSTRUCTION },
  ];
}

/** Shortest repeated end that is trimmed: shorter matches are as likely a coincidence ("the"). */
export const MIN_OVERLAP = 8;
/** A model repeats a few words or its last sentence or two, not more: held back at most this long. */
export const MAX_HELD = 240;

/**
 * Fits a continuation onto `carried`: `push` takes the model's deltas and returns what to add
 * now (held back while it may still be a repetition of the end), `end` what is left when the
 * model is done.
 */
export function createJoiner(carried: string, mode: Exclude<ResumeMode, "restart">): { push(delta: string): string; end(): string } {
  const trailing = carried.slice(carried.trimEnd().length);
  let settled = carried === "";
  let held = "";

  /** The model's leading whitespace against what was already written after the last word. */
  const joinWhitespace = (text: string): string => {
    const lead = /^\s*/.exec(text)![0];
    if (!trailing) return text;
    // "foo " + " bar": one space. "foo\n\n" + "\n\nbar": one break. A break where a space was written goes in.
    if (lead.startsWith(trailing)) return lead.slice(trailing.length) + text.slice(lead.length);
    const breaks = (ws: string) => ws.split("\n").length;
    return (breaks(lead) > breaks(trailing) ? lead : "") + text.slice(lead.length);
  };

  const settle = (final: boolean): string => {
    if (mode === "prefill") {
      // Hold only whitespace (its join is decided by the first character after it).
      if (!final && held.trim() === "") return "";
      settled = true;
      const out = joinWhitespace(held);
      held = "";
      return out;
    }
    // Instruction: hold while what came could still be the model repeating the end of the text.
    if (!final && held.length < Math.min(carried.length, MAX_HELD) && carried.includes(held.trim() === "" ? held : held.trimStart())) return "";
    settled = true;
    const out = joinWhitespace(held.slice(repeatedEnd(carried, held)));
    held = "";
    return out;
  };

  return {
    push(delta) {
      if (settled) return delta;
      held += delta;
      return settle(false);
    },
    end() {
      return settled ? "" : settle(true);
    },
  };
}

/**
 * How many characters at the start of `next` repeat the end of `carried`: the shortest such
 * overlap of at least MIN_OVERLAP characters (whitespace at the seam ignored), else 0. The
 * shortest, because in a text that repeats itself (a list, a refrain) every longer overlap is
 * one more period of it, which the model wrote on purpose.
 */
export function repeatedEnd(carried: string, next: string): number {
  const base = carried.trimEnd();
  const lead = /^\s*/.exec(next)![0].length;
  const body = next.slice(lead);
  const longest = Math.min(body.length, base.length, MAX_HELD);
  for (let k = MIN_OVERLAP; k <= longest; k++) {
    if (base.endsWith(body.slice(0, k))) return lead + k;
  }
  return 0;
}
