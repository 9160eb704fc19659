import { describe, expect, it } from "vitest";
import { foldPartsDelta, partsOfMessage, partsQuery, withMessageParts, type PartsState } from "../../client/parts.ts";
import type { Part } from "../../lib/parts.ts";

const thinking: Part = { type: "reasoning", text: "Hm", startedAt: "2025-01-31T12:00:00.000Z" };
const text: Part = { type: "text", start: 0, step: 0 };

describe("a stream's parts", () => {
  it("start from the message's, or from nothing", () => {
    expect(partsOfMessage({})).toEqual({});
    expect(partsQuery(partsOfMessage({}))).toBe("?parts=0");
    const s = partsOfMessage({ parts: [thinking], partsCursor: "3.a" });
    expect(s).toEqual({ parts: [thinking], partsCursor: "3.a", seenMessageCursor: "3.a" });
    expect(partsQuery(s)).toBe("?parts=3.a");
  });

  it("fold a delta's events in order and take its cursor", () => {
    const s = foldPartsDelta({ parts: [thinking], partsCursor: "1.a" }, {
      events: [
        { op: "append", id: "b", i: 0, text: "m." },
        { op: "set", id: "c", i: 0, fields: { endedAt: "2025-01-31T12:00:03.000Z" } },
        { op: "add", id: "d", part: text },
      ],
      reset: false,
      cursor: "4.d",
    });
    expect(s.parts).toEqual([{ ...thinking, text: "Hmm.", endedAt: "2025-01-31T12:00:03.000Z" }, text]);
    expect(s.partsCursor).toBe("4.d");
  });

  it("are replaced on a reset, and kept (same list) by an empty delta or none", () => {
    const before: PartsState = { parts: [thinking], partsCursor: "1.a" };
    expect(foldPartsDelta(before, { events: [{ op: "add", id: "x", part: text }], reset: true, cursor: "1.x" }).parts).toEqual([text]);
    expect(foldPartsDelta(before, { events: [], reset: true, cursor: "0" }).parts).toEqual([]);
    const same = foldPartsDelta(before, { events: [], reset: false, cursor: "1.a" });
    expect(same.parts).toBe(before.parts);
    expect(foldPartsDelta(before, undefined)).toBe(before);
  });

  it("take a messages poll's copy only when it is further along, and look at each copy once", () => {
    const ours: PartsState = { parts: [thinking], partsCursor: "2.b", seenMessageCursor: "2.b" };
    const newer = { parts: [thinking, text], partsCursor: "5.e" };
    expect(withMessageParts(ours, newer)).toEqual({ parts: newer.parts, partsCursor: "5.e", seenMessageCursor: "5.e" });
    expect(withMessageParts(ours, { parts: [], partsCursor: "1.a" })).toEqual({ ...ours, seenMessageCursor: "1.a" });
    expect(withMessageParts(ours, { parts: [], partsCursor: "2.b" })).toBe(ours);
    expect(withMessageParts(ours, {})).toBe(ours);
    // A stale copy from an older log, taken once; after the tokens poll's reset it is not taken again.
    const reset = foldPartsDelta(withMessageParts({ partsCursor: "1.z" }, { parts: [thinking], partsCursor: "9.old" }), {
      events: [{ op: "add", id: "n", part: text }],
      reset: true,
      cursor: "1.n",
    });
    expect(withMessageParts(reset, { parts: [thinking], partsCursor: "9.old" })).toBe(reset);
  });
});
