/**
 * An answer's parts on the client (docs/design.md §3.11): what a tokens poll's `parts` delta does
 * to the parts a stream holds, and when a messages poll's copy of them is newer. Pure (no React,
 * no fetch), so both polls (the chat's and the share page's) share it and tests can run it.
 */
import { applyPartEvents, NO_PARTS, parseCursor, type Part, type PartsCursor, type PartsDelta } from "@/lib/parts";

/** A stream's parts, with the cursor to send back and the message copy's cursor it has taken into account. */
export interface PartsState {
  parts?: Part[];
  partsCursor?: PartsCursor;
  /** The `partsCursor` of the message (from a messages poll) last compared with ours. */
  seenMessageCursor?: PartsCursor;
}

/** What to send as `?parts=`: our cursor, or "0" before any. */
export function partsQuery(state: PartsState): string {
  return `?parts=${encodeURIComponent(state.partsCursor ?? NO_PARTS)}`;
}

/** A tokens answer's delta folded into the parts (replacing them on `reset`); no delta (an old server): unchanged. */
export function foldPartsDelta<S extends PartsState>(state: S, delta: PartsDelta | undefined): S {
  if (!delta) return state;
  const base = delta.reset ? [] : (state.parts ?? []);
  const parts = delta.events.length || delta.reset ? applyPartEvents(base, delta.events) : state.parts;
  return { ...state, ...(parts ? { parts } : {}), partsCursor: delta.cursor };
}

function seqOf(cursor: PartsCursor | undefined): number {
  return cursor === undefined ? 0 : (parseCursor(cursor)?.seq ?? 0);
}

/**
 * The message's parts when a messages poll brought a copy further along than ours (a reload, a
 * second tab's poll). Each copy is looked at once: one from an older log (its attempt started
 * over) would be taken on its higher sequence number, but the next tokens poll answers its
 * cursor with a reset, and the same stale copy is not taken again.
 */
export function withMessageParts<S extends PartsState>(state: S, message: { parts?: Part[]; partsCursor?: PartsCursor }): S {
  const cursor = message.partsCursor;
  if (cursor === undefined || cursor === state.seenMessageCursor) return state;
  if (seqOf(cursor) > seqOf(state.partsCursor)) return { ...state, parts: message.parts ?? [], partsCursor: cursor, seenMessageCursor: cursor };
  return { ...state, seenMessageCursor: cursor };
}

/** Only the parts fields of a stream's state (to carry them into its next state). */
export function keepParts({ parts, partsCursor, seenMessageCursor }: PartsState): PartsState {
  return {
    ...(parts ? { parts } : {}),
    ...(partsCursor !== undefined ? { partsCursor } : {}),
    ...(seenMessageCursor !== undefined ? { seenMessageCursor } : {}),
  };
}

/** A stream's starting parts: the message's. */
export function partsOfMessage(message: { parts?: Part[]; partsCursor?: PartsCursor }): PartsState {
  return {
    ...(message.parts ? { parts: message.parts } : {}),
    ...(message.partsCursor !== undefined ? { partsCursor: message.partsCursor, seenMessageCursor: message.partsCursor } : {}),
  };
}
