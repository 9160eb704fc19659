/**
 * The chat protocol's pure logic, tested without a server: the tokens endpoint's rules
 * (lib/chat/tokens.ts), the chat list's cursor, how an unfinished attempt ends, and the
 * schema-typed row decoder of the hand-written polls.
 */
import { describe, expect, it } from "vitest";
import { knownText, planTokens, replacement, worthReadingAgain } from "../../lib/chat/tokens.ts";
import { decodeListCursor, encodeListCursor } from "../../lib/chat/list-cursor.ts";
import { endingOf } from "../../lib/generation/ending.ts";
import { GenerationStop } from "../../lib/generation/errors.ts";
import { columnsOf, decoderOf } from "../../db/queries/rows.ts";
import { chatMessages, chats } from "../../db/schema.ts";
import type { MessagePoll } from "../../db/queries/polls.ts";
import { AppError } from "../../lib/errors.ts";

const created = new Date("2026-01-02T03:04:05.678Z");

function poll(over: {
  role?: "user" | "assistant";
  status?: MessagePoll["message"]["status"];
  content?: string;
  error?: string | null;
  request?: Partial<NonNullable<MessagePoll["request"]>> | null;
  output?: { from: number; text: string };
  notes?: string[] | null;
}): MessagePoll {
  return {
    message: {
      uuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3d",
      chatUuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3e",
      role: over.role ?? "assistant",
      content: over.content ?? "",
      status: over.status ?? "pending",
      llmRequestUuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3f",
      error: over.error ?? null,
      authorId: null,
      parts: null,
      partsCursor: null,
      parentUuid: null,
      selected: true,
      hidden: false,
      notes: over.notes ?? null,
      createdAt: created,
    },
    role: "owner",
    readerId: "reader",
    validForMs: null,
    request:
      over.request === null
        ? null
        : { uuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3f", status: "running", attempt: 1, restartFloor: 0, stale: false, ...over.request },
    output: over.output ?? { from: 0, text: "" },
  };
}

describe("the tokens endpoint's rules", () => {
  it("appends the text after the position, counting code points, for a pending answer", () => {
    const found = poll({ output: { from: 0, text: "héllo 👋 world" } });
    // h é l l o ␠ 👋 ␠ w o r l d: 13 code points (the emoji is two UTF-16 units, one point).
    expect(planTokens(found, 7)).toEqual({ kind: "answer", answer: { tokens: " world", status: "pending", append: true, position: 13 } });
    expect(planTokens(found, 13)).toEqual({ kind: "answer", answer: { tokens: "", status: "pending", append: true, position: 13 } });
  });

  it("carries an answer's notes, written as its generation started (docs/design.md §3.13)", () => {
    const notes = ["cat.png was not given to the model: this model cannot see images."];
    const found = poll({ output: { from: 0, text: "abc" }, notes });
    expect(planTokens(found, 1)).toEqual({ kind: "answer", answer: { tokens: "bc", status: "pending", append: true, position: 3, notes } });
    expect(replacement(found, "abc")).toEqual({ tokens: "abc", status: "pending", append: false, position: 3, notes });
    expect(planTokens(poll({ output: { from: 0, text: "abc" }, notes: [] }), 1)).toEqual({ kind: "answer", answer: { tokens: "bc", status: "pending", append: true, position: 3 } });
  });

  it("reads a slice that starts at a later chunk: positions stay absolute", () => {
    const found = poll({ output: { from: 100, text: "abcdef" } });
    expect(planTokens(found, 103)).toEqual({ kind: "answer", answer: { tokens: "def", status: "pending", append: true, position: 106 } });
  });

  it("replaces the whole text when the position is past the end", () => {
    const found = poll({ status: "completed", content: "short", request: { status: "completed" } });
    expect(planTokens(found, 9)).toEqual({ kind: "answer", answer: { tokens: "short", status: "completed", append: false, position: 5 } });
  });

  it("asks for the whole text when it must replace and holds only a later slice", () => {
    const found = poll({ output: { from: 50, text: "xyz" } });
    expect(planTokens(found, 60)).toEqual({ kind: "whole_text_needed" });
    expect(replacement(found, "whole text")).toEqual({ tokens: "whole text", status: "pending", append: false, position: 10 });
  });

  it("after a restart, says nothing new until the new attempt passes what the old one wrote, then replaces once", () => {
    const behind = poll({ request: { attempt: 2, restartFloor: 10 }, output: { from: 0, text: "new" } });
    expect(planTokens(behind, 7)).toEqual({ kind: "answer", answer: { tokens: "", status: "pending", append: true, position: 7 } });
    const past = poll({ request: { attempt: 2, restartFloor: 10 }, output: { from: 0, text: "the new text, longer" } });
    expect(planTokens(past, 7)).toEqual({ kind: "answer", answer: { tokens: "the new text, longer", status: "pending", append: false, position: 20 } });
    // A client that starts from 0 (a reload) was never ambiguous.
    expect(planTokens(past, 0)).toMatchObject({ answer: { append: true, position: 20 } });
  });

  it("carries a failed answer's error with its final text", () => {
    const found = poll({ status: "failed", content: "partial", error: "The model provider had an error (500). Retry in a moment.", request: { status: "failed" } });
    expect(planTokens(found, 3)).toEqual({
      kind: "answer",
      answer: { tokens: "tial", status: "failed", append: true, position: 7, error: "The model provider had an error (500). Retry in a moment." },
    });
  });

  it("reads a user message's content, and a pending answer's output", () => {
    expect(knownText(poll({ role: "user", content: "question", status: "completed" }))).toEqual({ text: "question", from: 0, streaming: false });
    expect(knownText(poll({ output: { from: 4, text: "more" } }))).toEqual({ text: "more", from: 4, streaming: true });
    expect(worthReadingAgain(poll({ output: { from: 0, text: "" } }), 5)).toBe(true);
    expect(worthReadingAgain(poll({ output: { from: 0, text: "" } }), 0)).toBe(false);
  });
});

describe("the chat list's cursor", () => {
  it("round-trips a position", () => {
    const at = { updatedAt: created, uuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3d" };
    expect(decodeListCursor(encodeListCursor(at))).toEqual(at);
  });

  it.each(["", "garbage", Buffer.from("2026-01-02|not-a-uuid").toString("base64url"), Buffer.from("yesterday|0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3d").toString("base64url")])(
    "refuses %j with a 400",
    (cursor) => {
      expect(() => decodeListCursor(cursor)).toThrow(AppError);
      expect(() => decodeListCursor(cursor)).toThrow("Invalid cursor.");
    },
  );
});

describe("how an attempt that did not complete ends", () => {
  const model = "demo";
  it("names each way out", () => {
    expect(endingOf({ err: new Error("x"), stop: new GenerationStop("cancelled", "stopped"), model, databaseDown: false })).toEqual({ kind: "cancelled" });
    expect(endingOf({ err: new GenerationStop("fenced", "taken"), stop: undefined, model, databaseDown: false })).toEqual({ kind: "fenced" });
    expect(endingOf({ err: new Error("aborted"), stop: new GenerationStop("shutdown", "The server is shutting down."), model, databaseDown: true })).toEqual({
      kind: "handed_over",
      why: "The server is shutting down.",
    });
    expect(endingOf({ err: new Error("ECONNREFUSED"), stop: undefined, model, databaseDown: true })).toEqual({ kind: "database_down" });
  });

  it("fails with the stop's sentence, or a readable one for a model error", () => {
    const stall = new GenerationStop("stall", "The model stopped sending text for 30 seconds, so the answer was stopped. Retry.");
    expect(endingOf({ err: new Error("aborted"), stop: stall, model, databaseDown: true })).toEqual({ kind: "failed", message: stall.message, reason: "stall" });
    const missing = new GenerationStop("model_not_configured", "The model x is not configured on this server any more. Pick another model and retry.");
    expect(endingOf({ err: missing, stop: undefined, model, databaseDown: false })).toEqual({ kind: "failed", message: missing.message, reason: "model_not_configured" });
    expect(endingOf({ err: Object.assign(new Error("Unauthorized"), { statusCode: 401 }), stop: undefined, model, databaseDown: false })).toEqual({
      kind: "failed",
      message: "The model provider refused the request (401): check the API key configured for demo.",
      reason: undefined,
    });
  });
});

describe("rows of hand-written statements, typed from the schema", () => {
  it("selects every column of a table under a prefix", () => {
    const list = columnsOf(chatMessages, "m", "m_");
    expect(list).toContain("m.chat_uuid as m_chat_uuid");
    expect(list.split(", ")).toHaveLength(Object.keys(chatMessages).filter((k) => k !== "enableRLS").length);
  });

  it("decodes either driver's values: timestamps as text or Date, jsonb as text or object, nulls", () => {
    const decode = decoderOf(chats);
    const base = { uuid: "u", user_id: "me", title: "T", status: "active", agent: "assistant", share_uuid: null };
    const fromText = decode({ ...base, params: '{"model":"demo"}', created_at: "2026-01-02 03:04:05.678+00", updated_at: "2026-01-02T03:04:05.678Z", last_message_at: created });
    expect(fromText).toEqual({
      uuid: "u",
      userId: "me",
      title: "T",
      status: "active",
      agent: "assistant",
      params: { model: "demo" },
      createdAt: created,
      updatedAt: created,
      lastMessageAt: created,
      shareUuid: null,
    });
    const fromObjects = decode({ ...base, params: { model: "demo" }, created_at: created, updated_at: created, last_message_at: created });
    expect(fromObjects).toEqual(fromText);
  });
});
