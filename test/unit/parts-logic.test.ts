/**
 * The parts' pure logic (docs/design.md §3.11), without a server: what a tokens poll that asked
 * for parts gets (lib/chat/tokens.ts planParts), how the recorder decides where text stretches
 * start and sets a later step's text apart, and how a continuing attempt rebuilds the steps that
 * called tools (lib/generation/resume.ts).
 */
import { describe, expect, it } from "vitest";
import { planParts } from "../../lib/chat/tokens.ts";
import { PartsRecorder, type PartsSink } from "../../lib/generation/parts-recorder.ts";
import { openCalls, resumePlan } from "../../lib/generation/resume.ts";
import { applyPartEvents, settleParts, type Part, type PartEvent } from "../../lib/parts.ts";
import type { MessagePoll } from "../../db/queries/polls.ts";
import type { NumberedEvent } from "../../db/queries/parts.ts";

function poll(over: { status?: "pending" | "completed"; events?: { from: number; list: NumberedEvent[] }; parts?: Part[] | null; partsCursor?: string | null }): MessagePoll {
  return {
    message: {
      uuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3d",
      chatUuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3e",
      role: "assistant",
      content: "",
      status: over.status ?? "pending",
      llmRequestUuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3f",
      error: null,
      authorId: null,
      parts: over.parts ?? null,
      partsCursor: over.partsCursor ?? null,
      parentUuid: null,
      selected: true,
      hidden: false,
      notes: null,
      createdAt: new Date(0),
    },
    role: "owner",
    request: { uuid: "r", status: over.status === "completed" ? "completed" : "running", attempt: 1, restartFloor: 0, stale: false },
    output: { from: 0, text: "" },
    ...(over.events ? { events: over.events } : {}),
    readerId: "reader",
    validForMs: null,
  };
}

const reasoning: Part = { type: "reasoning", text: "", startedAt: "2026-01-01T00:00:00.000Z" };
const log: NumberedEvent[] = [
  { seq: 1, event: { op: "add", id: "a1", part: reasoning } },
  { seq: 2, event: { op: "append", id: "a2", i: 0, text: "Hmm." } },
  { seq: 3, event: { op: "set", id: "a3", i: 0, fields: { endedAt: "2026-01-01T00:00:02.000Z" } } },
];

describe("planParts: what a tokens poll with ?parts= gets", () => {
  it("gives the events after the client's cursor, and the cursor of the last", () => {
    const found = poll({ events: { from: 2, list: log.slice(1) } });
    expect(planParts(found, "2.a2")).toEqual({ kind: "delta", delta: { events: [log[2]!.event], reset: false, cursor: "3.a3" } });
    // Nothing new: the same cursor back.
    expect(planParts(poll({ events: { from: 3, list: log.slice(2) } }), "3.a3")).toEqual({ kind: "delta", delta: { events: [], reset: false, cursor: "3.a3" } });
  });

  it("replaces the client's parts when its cursor names an event this log does not have (an attempt that started over)", () => {
    const found = poll({ events: { from: 1, list: log } });
    expect(planParts(found, "2.zz")).toEqual({ kind: "delta", delta: { events: log.map((e) => e.event), reset: true, cursor: "3.a3" } });
    // A read that began after the cursor cannot tell: read the whole log.
    expect(planParts(poll({ events: { from: 2, list: log.slice(1) } }), "1.zz")).toEqual({ kind: "whole_log_needed" });
  });

  it("answers an ended message from its folded parts: nothing for the final cursor, the whole list for any other", () => {
    const parts = applyPartEvents([], log.map((e) => e.event));
    const found = poll({ status: "completed", parts, partsCursor: "3.a3", events: { from: 1, list: [] } });
    expect(planParts(found, "3.a3")).toEqual({ kind: "delta", delta: { events: [], reset: false, cursor: "3.a3" } });
    const whole = planParts(found, "2.a2");
    expect(whole.kind === "delta" && whole.delta.reset && applyPartEvents([], whole.delta.events)).toEqual(parts);
    // A plain answer: no parts, cursor "0", nothing ever.
    expect(planParts(poll({ status: "completed" }), "0")).toEqual({ kind: "delta", delta: { events: [], reset: false, cursor: "0" } });
  });
});

/** A sink like the heartbeat: keeps the visible text and the events. */
function sink(): PartsSink & { text: string; events: PartEvent[] } {
  const s = {
    text: "",
    events: [] as PartEvent[],
    event(e: Omit<PartEvent, "id">) {
      const ev = { ...e, id: `e${s.events.length + 1}` } as PartEvent;
      s.events.push(ev);
      return ev;
    },
    get textLength() {
      return Array.from(s.text).length;
    },
    endsWithNewline: () => s.text === "" || s.text.endsWith("\n"),
  };
  return s;
}

describe("PartsRecorder", () => {
  it("records nothing for a plain answer", () => {
    const out = sink();
    const r = new PartsRecorder(out, [], { stepBase: 0, textOpen: false, reasoning: true });
    r.stepStarted();
    out.text += r.text("Hello ");
    out.text += r.text("world.");
    expect(out.text).toBe("Hello world.");
    expect(out.events).toEqual([]);
  });

  it("marks where each stretch of text starts once anything else appears, a later step's text after a blank line", () => {
    const out = sink();
    const r = new PartsRecorder(out, [], { stepBase: 0, textOpen: false, reasoning: true });
    r.stepStarted();
    out.text += r.text("Let me check.");
    r.toolStarted("call_1", "calculator", "builtin");
    r.toolChanged("call_1", { input: { expression: "1+1" }, status: "done", output: { result: 2 } });
    r.stepStarted();
    out.text += r.text("It is 2.");
    expect(out.text).toBe("Let me check.\n\nIt is 2.");
    expect(r.parts).toEqual([
      { type: "text", start: 0, step: 0 },
      { type: "tool", callId: "call_1", name: "calculator", source: "builtin", step: 0, status: "done", input: { expression: "1+1" }, output: { result: 2 } },
      { type: "text", start: 15, step: 1 },
    ]);
    // The events fold to the same list (what a client sees).
    expect(applyPartEvents([], out.events)).toEqual(r.parts);
  });

  it("drops reasoning for a model whose reasoning is off", () => {
    const out = sink();
    const r = new PartsRecorder(out, [], { stepBase: 0, textOpen: false, reasoning: false });
    r.reasoningDelta("r1", "thinking");
    expect(out.events).toEqual([]);
  });
});

describe("resumePlan: continuing from parts", () => {
  const text = "Let me check.\n\nIt is 2 and";
  const parts: Part[] = [
    { type: "text", start: 0, step: 0 },
    { type: "tool", callId: "call_1", name: "calculator", source: "builtin", step: 0, status: "done", input: { expression: "1+1" }, output: { result: 2 } },
    { type: "text", start: 15, step: 1 },
  ];

  it("gives the completed steps back as they happened and continues only the text after them", () => {
    const plan = resumePlan(parts, text);
    expect(plan.stepMessages).toEqual([
      { role: "assistant", content: [{ type: "text", text: "Let me check." }, { type: "tool-call", toolCallId: "call_1", toolName: "calculator", input: { expression: "1+1" } }] },
      { role: "tool", content: [{ type: "tool-result", toolCallId: "call_1", toolName: "calculator", output: { type: "json", value: { result: 2 } } }] },
    ]);
    expect(plan).toMatchObject({ trailingText: "It is 2 and", stepBase: 1, textOpen: true });
  });

  it("after a step whose calls ended, the model starts a new step; an interrupted call is open until settled", () => {
    const running: Part[] = [parts[0]!, { ...(parts[1] as Extract<Part, { type: "tool" }>), status: "running", output: undefined }];
    expect(openCalls(running).map((c) => c.callId)).toEqual(["call_1"]);
    const settled = settleParts(running, "2026-01-01T00:00:00.000Z", "stopped");
    expect(settled[1]).toMatchObject({ status: "error", error: "stopped" });
    const plan = resumePlan(settled, "Let me check.");
    expect(plan).toMatchObject({ trailingText: "", stepBase: 1, textOpen: false });
    expect(plan.stepMessages[1]).toEqual({ role: "tool", content: [{ type: "tool-result", toolCallId: "call_1", toolName: "calculator", output: { type: "error-text", value: "stopped" } }] });
  });

  it("continues a plain answer's whole text, as before parts", () => {
    expect(resumePlan([], "Half an ans")).toEqual({ stepMessages: [], trailingText: "Half an ans", stepBase: 0, textOpen: true });
  });
});
