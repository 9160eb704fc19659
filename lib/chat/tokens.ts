/**
 * The tokens endpoint's rules (docs/design.md §3.3 and §5.4), as pure functions of
 * what one read found: the text from `position` on with `append: true`, or the whole text with
 * `append: false` when the client's position cannot be continued (past the end, or inside what
 * an interrupted attempt had written: the restarted text may differ).
 */
import type { MessagePoll } from "@/db/queries/polls";
import type { TokensDto } from "@/lib/contract";
import { cursorOf, eventsOf, NO_PARTS, parseCursor, type PartsCursor, type PartsDelta } from "../parts";
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
  const extra = { ...(message.error ? { error: message.error } : {}), ...notesOf(message) };
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
    answer: { tokens: sliceFromCodePoint(known.text, position - known.from), status: message.status, append: true, position: end, ...extra },
  };
}

/** The answer that replaces the client's text with `whole`. */
export function replacement(found: MessagePoll, whole: string): TokensDto {
  const { message } = found;
  return { tokens: whole, status: message.status, append: false, position: codePointLength(whole), ...(message.error ? { error: message.error } : {}), ...notesOf(message) };
}

/** An answer's notes, when it has any (docs/design.md §3.13). */
function notesOf(message: MessagePoll["message"]): { notes?: string[] } {
  return message.notes?.length ? { notes: message.notes } : {};
}

/**
 * What a client that asked for parts gets (docs/design.md §3.11): the events after its cursor,
 * or, when its cursor is not in this answer's log any more (an ended answer whose parts were
 * folded, an attempt that started over), the whole list to replace its own. `whole_log_needed`:
 * the read began after the client's cursor; read the log from its start.
 */
export function planParts(found: MessagePoll, cursor: PartsCursor): { kind: "delta"; delta: PartsDelta } | { kind: "whole_log_needed" } {
  const { message } = found;
  const at = parseCursor(cursor) ?? { seq: 0, id: undefined };
  if (!found.events || message.status !== "pending") {
    const finalCursor = message.partsCursor ?? NO_PARTS;
    if (finalCursor === cursor) return { kind: "delta", delta: { events: [], reset: false, cursor } };
    const parts = message.parts ?? [];
    return { kind: "delta", delta: { events: eventsOf(parts, (i) => `f${i}`), reset: true, cursor: finalCursor } };
  }
  const { list, from } = found.events;
  const newest = list.length ? cursorOf(list.at(-1)!.seq, list.at(-1)!.event.id) : undefined;
  if (at.seq === 0) {
    if (from > 1) return { kind: "whole_log_needed" };
    return { kind: "delta", delta: { events: list.map((e) => e.event), reset: false, cursor: newest ?? NO_PARTS } };
  }
  const k = list.findIndex((e) => e.seq === at.seq);
  if (k >= 0 && list[k]!.event.id === at.id) {
    return { kind: "delta", delta: { events: list.slice(k + 1).map((e) => e.event), reset: false, cursor: newest ?? cursor } };
  }
  // Not in this log (it was replaced): the whole list, from a read that has all of it.
  if (from > 1) return { kind: "whole_log_needed" };
  return { kind: "delta", delta: { events: list.map((e) => e.event), reset: true, cursor: newest ?? NO_PARTS } };
}
