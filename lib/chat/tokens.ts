/**
 * The tokens endpoint's rules (docs/design.md §3.3 and §5.4), as pure functions of
 * what one read found: the text from `position` on with `append: true`, or the whole text with
 * `append: false` when the client's position cannot be continued (past the end, or inside what
 * an interrupted attempt had written: the restarted text may differ).
 */
import type { MessagePoll } from "@/db/queries/polls";
import type { TokensDto } from "@/lib/contract";
import { codePointLength, sliceFromCodePoint } from "../text";

/** What is known of a message's text around the asked position. */
export interface KnownText {
  text: string;
  /** Where `text` starts, in code points. */
  from: number;
  /** A pending answer's output so far (not yet its final content). */
  streaming: boolean;
}

/** A pending answer's output from its chunks, else the message's content. */
export function knownText(found: MessagePoll): KnownText {
  const { message, request } = found;
  if (message.role === "assistant" && message.status === "pending" && request) {
    return { text: found.output.text, from: found.output.from, streaming: true };
  }
  return { text: message.content, from: 0, streaming: false };
}

/** Nothing at this position yet (a restarted attempt catching up): worth one more read. */
export function worthReadingAgain(found: MessagePoll, position: number): boolean {
  const known = knownText(found);
  return known.streaming && known.text === "" && position > 0;
}

export type TokensPlan =
  | { kind: "answer"; answer: TokensDto }
  /** Replace what the client shows with the whole text; the read holds only part of it. */
  | { kind: "whole_text_needed" };

export function planTokens(found: MessagePoll, position: number): TokensPlan {
  const { message, request } = found;
  const known = knownText(found);
  const end = known.from + codePointLength(known.text);
  const error = message.error ? { error: message.error } : {};
  const ambiguous = message.role === "assistant" && request !== null && position > 0 && position <= request.restartFloor;
  if (ambiguous && known.streaming && end <= request.restartFloor) {
    // The restarted attempt has not yet passed what the dead one had written: this client may
    // hold either text. "Nothing new" until it has, then one replacement beyond the ambiguity.
    return { kind: "answer", answer: { tokens: "", status: message.status, append: true, position } };
  }
  if (position > end || ambiguous) {
    return known.from === 0 ? { kind: "answer", answer: replacement(found, known.text) } : { kind: "whole_text_needed" };
  }
  return {
    kind: "answer",
    answer: { tokens: sliceFromCodePoint(known.text, position - known.from), status: message.status, append: true, position: end, ...error },
  };
}

/** The answer that replaces the client's text with `whole`. */
export function replacement(found: MessagePoll, whole: string): TokensDto {
  const { message } = found;
  return { tokens: whole, status: message.status, append: false, position: codePointLength(whole), ...(message.error ? { error: message.error } : {}) };
}
