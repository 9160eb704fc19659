/**
 * Turns what a model streams besides text (reasoning, tool calls and their results, sources)
 * into part events (lib/parts.ts, docs/design.md §3.11), written by the heartbeat with the text's
 * next batch, and keeps the answer's parts as folded so far (a continuing attempt starts from the
 * carried ones). It also decides where each stretch of visible text starts: a plain answer has
 * no events at all; once anything else appears, every stretch of text gets its text part, and
 * the text of a later step is set apart from the one before by a blank line (what a client that
 * knows only text shows).
 */
import "server-only";
import { applyPartEvents, type Part, type PartEvent, type ToolPart } from "../parts";
import type { NewPartEvent } from "./batcher";
import { GenerationStop } from "./errors";

export interface PartsSink {
  /** Undefined once the attempt's writes are refused (fenced). */
  event(e: NewPartEvent): PartEvent | undefined;
  /** The visible text's length so far, written or waiting. */
  readonly textLength: number;
  /** Whether the visible text so far ends with a line break (no blank line needed before more). */
  endsWithNewline(): boolean;
}

export class PartsRecorder {
  private folded: Part[];
  private readonly tools = new Map<string, number>();
  private readonly reasoning = new Map<string, number>();
  /** Tool runs waiting for the stream to announce their call (its step is known then). */
  private readonly announced = new Map<string, () => void>();
  /** The last part is (or, with no parts yet, would be) the text being written. */
  private textOpen: boolean;
  /** The step of the text written before any part existed (its text part is added late). */
  private firstTextStep: number | undefined;
  private steps = -1;

  constructor(
    private readonly sink: PartsSink,
    carried: Part[],
    private readonly o: { stepBase: number; textOpen: boolean; reasoning: boolean },
  ) {
    this.folded = carried;
    this.textOpen = o.textOpen;
    carried.forEach((p, i) => p.type === "tool" && this.tools.set(p.callId, i));
    if (carried.length === 0 && sink.textLength > 0) this.firstTextStep = o.stepBase;
  }

  get parts(): readonly Part[] {
    return this.folded;
  }

  /** The step the model is on (0, 1, ... over the whole answer, carried steps included). */
  get step(): number {
    return this.o.stepBase + Math.max(0, this.steps);
  }

  private emit(e: NewPartEvent): void {
    if (!this.sink.event(e)) throw new GenerationStop("fenced", "This generation was cancelled or taken over.");
    this.folded = applyPartEvents(this.folded, [{ ...e, id: "" }]);
  }

  /** A part other than text comes: the text before it (if any, and not yet a part) becomes one. */
  private beforeOther(): void {
    if (this.folded.length === 0 && this.sink.textLength > 0) this.emit({ op: "add", part: { type: "text", start: 0, step: this.firstTextStep ?? this.step } });
    this.textOpen = false;
  }

  /** A new step of the model (the SDK's start-step): its text is a new stretch. */
  stepStarted(): void {
    this.steps++;
    if (this.steps > 0) this.textOpen = false;
  }

  /** Text from the model: returns what to append to the visible text (a blank line may come first). */
  text(delta: string): string {
    if (this.textOpen) return delta;
    this.textOpen = true;
    const sep = this.sink.textLength > 0 && !this.sink.endsWithNewline() ? "\n\n" : "";
    if (this.folded.length > 0) this.emit({ op: "add", part: { type: "text", start: this.sink.textLength + sep.length, step: this.step } });
    else this.firstTextStep ??= this.step;
    return sep + delta;
  }

  reasoningDelta(id: string, text: string): void {
    if (!this.o.reasoning || !text) return;
    let i = this.reasoning.get(id);
    if (i === undefined || this.isEnded(i)) {
      this.beforeOther();
      i = this.folded.length;
      this.reasoning.set(id, i);
      this.emit({ op: "add", part: { type: "reasoning", text: "", startedAt: new Date().toISOString() } });
    }
    this.emit({ op: "append", i, text });
  }

  reasoningEnded(id: string): void {
    const i = this.reasoning.get(id);
    if (i !== undefined && !this.isEnded(i)) this.emit({ op: "set", i, fields: { endedAt: new Date().toISOString() } });
  }

  /** Reasoning a stopped attempt left open ends now (this attempt thinks afresh, in a part of its own). */
  endCarriedReasoning(): void {
    this.folded.forEach((p, i) => {
      if (p.type === "reasoning" && !p.endedAt) this.emit({ op: "set", i, fields: { endedAt: new Date().toISOString() } });
    });
  }

  /** Reasoning still open when text starts (some providers never say it ended) ends now. */
  endOpenReasoning(): void {
    for (const [id, i] of this.reasoning) if (!this.isEnded(i)) this.reasoningEnded(id);
  }

  private isEnded(i: number): boolean {
    const p = this.folded[i];
    return p?.type === "reasoning" && p.endedAt !== undefined;
  }

  tool(callId: string): ToolPart | undefined {
    const i = this.tools.get(callId);
    const p = i === undefined ? undefined : this.folded[i];
    return p?.type === "tool" ? p : undefined;
  }

  /**
   * Resolves once the stream announced this call (or after `ms`): a tool's run can start
   * before the stream's reader reached the call, and the call's part must carry its own step.
   */
  async announcedCall(callId: string, ms = 1_000): Promise<void> {
    if (this.tools.has(callId)) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.announced.set(callId, () => (clearTimeout(timer), resolve()));
    });
    this.announced.delete(callId);
  }

  /** The model began a call (its input may still be coming). */
  toolStarted(callId: string, name: string, source: string): void {
    this.announced.get(callId)?.();
    if (this.tools.has(callId)) return;
    this.beforeOther();
    this.tools.set(callId, this.folded.length);
    this.emit({ op: "add", part: { type: "tool", callId, name, source, step: this.step, status: "input" } });
  }

  /** Changes to a call's part (its input, status, output, error, who decided). */
  toolChanged(callId: string, fields: Partial<ToolPart>): void {
    const i = this.tools.get(callId);
    if (i !== undefined) this.emit({ op: "set", i, fields });
  }

  source(url: string, title: string | undefined, from: string): void {
    if (this.folded.some((p) => p.type === "source" && p.url === url)) return;
    this.beforeOther();
    this.emit({ op: "add", part: { type: "source", url, ...(title ? { title } : {}), from } });
  }

}
