/**
 * An answer's parts (docs/design.md §3.11): the ordered list of what a model produced besides
 * (and around) its visible text: reasoning, tool calls, sources, and where each stretch of text
 * begins. The visible text itself stays where it always was (the message's `content`, the
 * tokens poll's `tokens` with its positions): a text part only says where in it a stretch
 * starts, so a client that knows only text loses nothing but the extras.
 *
 * While an answer is generated its parts travel as an append-only log of events (stored per
 * attempt, like the text's chunks); a client folds the events it has not seen into its parts
 * with `applyPartEvents`. A finished message keeps the folded list. Shared by the server, the
 * React client and the htmx fragments: no server-only imports here.
 */

export const TOOL_STATUSES = ["input", "awaiting-approval", "running", "done", "error", "denied"] as const;
/**
 * input: the model is still writing the call's input; awaiting-approval: a member must allow it
 * first; running: executing; done: it returned `output`; error: it failed (`error`), or was
 * interrupted; denied: a member refused it (or nobody answered in time).
 */
export type ToolStatus = (typeof TOOL_STATUSES)[number];

export interface TextPart {
  type: "text";
  /** Where this stretch of the visible text starts (code points); it ends where the next text part starts. */
  start: number;
  /** The model step (0, 1, ...) it belongs to: a step's text comes before its tool calls. */
  step: number;
}

export interface ReasoningPart {
  type: "reasoning";
  text: string;
  /** ISO times by the server's clock; `endedAt` absent while the model still thinks. */
  startedAt: string;
  endedAt?: string;
}

export interface ToolPart {
  type: "tool";
  /** The model's id for the call (unique within the answer). */
  callId: string;
  /** The tool's name as the model sees it (MCP tools: `<server>_<tool>`). */
  name: string;
  /** Where it comes from: "builtin" or the MCP server's configured name. */
  source: string;
  step: number;
  /** The call's arguments (JSON), once the model has written them. */
  input?: unknown;
  status: ToolStatus;
  /** What the tool returned (JSON), when done; shown as inert text. */
  output?: unknown;
  error?: string;
  /** It waits for (or waited for) a member's click. */
  needsApproval?: boolean;
  /** Who allowed or refused it. */
  decidedBy?: { id: string; name: string };
  /** When it began to wait for approval (the wait's limit runs from here, over attempts). */
  askedAt?: string;
  startedAt?: string;
  endedAt?: string;
}

export interface SourcePart {
  type: "source";
  url: string;
  title?: string;
  /** Who reported it: "model" (the provider) or the tool's name. */
  from?: string;
}

export type Part = TextPart | ReasoningPart | ToolPart | SourcePart;

/**
 * One change to an answer's parts. `id` is unique within the answer: a client's cursor names
 * the last event it applied by its sequence number and id, so a cursor from a log that was
 * replaced (an attempt that started over) is recognised and answered with the whole list.
 */
export type PartEvent =
  /** A new part, at the end of the list. */
  | { op: "add"; id: string; part: Part }
  /** More text for a reasoning part (the i-th of the list). */
  | { op: "append"; id: string; i: number; text: string }
  /** Fields of the i-th part changed (merged over it). */
  | { op: "set"; id: string; i: number; fields: Partial<ReasoningPart> | Partial<ToolPart> };

/** A client's place in an answer's part events: "<seq>.<id>", "0" before any. */
export type PartsCursor = string;
export const NO_PARTS: PartsCursor = "0";

export function cursorOf(seq: number, id: string | undefined): PartsCursor {
  return seq === 0 || !id ? NO_PARTS : `${seq}.${id}`;
}

/** The sequence number and event id a cursor names; undefined when it is not one. */
export function parseCursor(cursor: string): { seq: number; id: string | undefined } | undefined {
  if (cursor === NO_PARTS) return { seq: 0, id: undefined };
  const m = /^([1-9][0-9]{0,8})\.([A-Za-z0-9_-]{1,32})$/.exec(cursor);
  return m ? { seq: Number(m[1]), id: m[2] } : undefined;
}

/** What the tokens poll sends a client that asked for parts (docs/design.md §3.11). */
export interface PartsDelta {
  /** Apply in order; with `reset`, to an empty list (the client's parts are replaced). */
  events: PartEvent[];
  reset: boolean;
  /** Send this back as `parts` on the next poll. */
  cursor: PartsCursor;
}

/** Folds events into a list of parts (a copy: `parts` is not changed). Unknown indexes are skipped. */
export function applyPartEvents(parts: readonly Part[], events: readonly PartEvent[]): Part[] {
  const out = parts.slice();
  for (const e of events) {
    if (e.op === "add") out.push(e.part);
    else if (e.op === "append") {
      const p = out[e.i];
      if (p?.type === "reasoning") out[e.i] = { ...p, text: p.text + e.text };
    } else {
      const p = out[e.i];
      if (p) out[e.i] = { ...p, ...e.fields } as Part;
    }
  }
  return out;
}

/** The events that build `parts` from nothing (an answer whose log is gone: it finished). */
export function eventsOf(parts: readonly Part[], idOf: (i: number) => string): PartEvent[] {
  return parts.map((part, i) => ({ op: "add", id: idOf(i), part }));
}

/** The visible text of each text part: [start, end) slices of `text` (code points). */
export function textSlices(parts: readonly Part[], text: string): Map<number, string> {
  const cps = Array.from(text);
  const starts = parts.flatMap((p, i) => (p.type === "text" ? [[i, p.start] as const] : []));
  const out = new Map<number, string>();
  starts.forEach(([i, start], k) => {
    const end = k + 1 < starts.length ? starts[k + 1]![1] : cps.length;
    out.set(i, cps.slice(Math.min(start, cps.length), Math.max(start, end)).join(""));
  });
  return out;
}

/** Only text parts (or none): a plain answer, shown as before. */
export function hasRichParts(parts: readonly Part[] | undefined): parts is Part[] {
  return Boolean(parts?.some((p) => p.type !== "text"));
}

/** How long a reasoning part thought, in whole seconds (at least 1); undefined while it thinks. */
export function thoughtSeconds(p: ReasoningPart): number | undefined {
  if (!p.endedAt) return undefined;
  const ms = Date.parse(p.endedAt) - Date.parse(p.startedAt);
  return Number.isFinite(ms) ? Math.max(1, Math.round(ms / 1000)) : undefined;
}

/** A tool call that has not ended (the model or the tool is still at it). */
export function toolOpen(p: ToolPart): boolean {
  return p.status === "input" || p.status === "running" || p.status === "awaiting-approval";
}

/**
 * The parts as they stay once their answer ended (completed, failed, cancelled): reasoning still
 * open ends now, a tool call still open ends as an error that says why.
 */
export function settleParts(parts: readonly Part[], now: string, why = "The answer stopped before this tool call ended."): Part[] {
  return parts.map((p) => {
    if (p.type === "reasoning" && !p.endedAt) return { ...p, endedAt: now };
    if (p.type === "tool" && toolOpen(p)) return { ...p, status: p.status === "awaiting-approval" ? "denied" : "error", error: why, endedAt: now };
    return p;
  });
}
