/**
 * Collects model output and hands it to `write` in batches: at most once per interval, or at
 * once when `maxChars` are waiting. A batch never ends inside a surrogate pair (an upstream
 * may split one across two chunks), and text is made storable before it is counted, so
 * positions in code points match what PostgreSQL stores and counts.
 */
import "server-only";
import { randomBytes } from "node:crypto";
import { codePointLength, storableJson, storableText } from "../text";
import type { PartEvent } from "../parts";

/** After a failed write, how long `push` leaves flushing to the caller's heartbeat. */
const PAUSE_AFTER_FAILURE_MS = 500;

/** A part event with its place in the answer's log (lib/parts.ts). */
export interface NumberedEvent {
  seq: number;
  event: PartEvent;
}

/** Distributes PartEvent over its members: an event as `event()` takes it, before its id is given. */
type Unidentified<E> = E extends PartEvent ? Omit<E, "id"> : never;
export type NewPartEvent = Unidentified<PartEvent>;

export type WriteBatch = (batch: { startPos: number; text: string; first: boolean; events: NumberedEvent[] }) => Promise<boolean>;

/** A short random id for a part event: what a client's cursor names besides the number. */
function eventId(): string {
  return randomBytes(6).toString("base64url");
}

export class OutputBatcher {
  private pending = "";
  /** Part events not yet written, in order (each with its number in the answer's log). */
  private events: NumberedEvent[] = [];
  private seq = 0;
  private pendingLength = 0;
  private written = "";
  private writtenLength = 0;
  private flushing: Promise<boolean> | null = null;
  private stopped = false;
  private pausedUntil = 0;
  /** A batch of this attempt's own was written (the first one records the first token's time). */
  private wroteAny = false;

  constructor(
    private readonly write: WriteBatch,
    private readonly maxChars: number,
  ) {}

  /**
   * Text and part events the database already holds for this attempt (carried over from the one
   * before): output goes on after them.
   */
  carry(text: string, lastSeq = 0): void {
    if (this.wroteAny || this.pending || this.events.length) throw new Error("carry() comes before any output");
    this.written = text;
    this.writtenLength = codePointLength(text);
    this.seq = lastSeq;
  }

  /** The visible text's length with what waits to be written: where the next text starts. */
  get textLength(): number {
    return this.writtenLength + this.pendingLength;
  }

  /**
   * Adds a part event, written with the next batch. More reasoning for the part the last waiting
   * event also appends to joins that event: one row per flush, not one per token.
   */
  event(e: NewPartEvent): PartEvent {
    // Tool input and output, reasoning, names: what jsonb can store (text is made so at flush).
    e = storableJson(e);
    const last = this.events.at(-1)?.event;
    if (e.op === "append" && last?.op === "append" && last.i === e.i) {
      last.text += e.text;
      return last;
    }
    const event = { ...e, id: eventId() };
    this.events.push({ seq: ++this.seq, event });
    return event;
  }

  /** Whether the visible text so far (written or waiting) ends with a line break, or is empty. */
  endsWithNewline(): boolean {
    const text = this.pending || this.written;
    return text === "" || text.endsWith("\n");
  }

  /** The number of the last part event (written or not). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Everything written so far (what the database holds for this attempt). */
  get text(): string {
    return this.written;
  }

  get length(): number {
    return this.writtenLength;
  }

  get hasPending(): boolean {
    return this.pending.length > 0 || this.events.length > 0;
  }

  /** Adds model output; resolves false once a write was refused (stop generating). */
  push(delta: string): boolean {
    if (this.stopped) return false;
    this.pending += delta;
    this.pendingLength += codePointLength(delta);
    if (this.pending.length >= this.maxChars && !this.flushing && Date.now() >= this.pausedUntil) {
      // A failed write keeps its text for the next flush; the heartbeat reports the failure.
      this.flush().catch(() => {});
    }
    return true;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Writes what is waiting. With `final` the held-back half of a split surrogate pair goes too
   * (as U+FFFD: the upstream never sent its other half).
   */
  async flush(final = false): Promise<boolean> {
    while (this.flushing) await this.flushing;
    if (this.stopped) return false;
    let take = this.pending;
    const last = take.charCodeAt(take.length - 1);
    if (!final && last >= 0xd800 && last <= 0xdbff) take = take.slice(0, -1);
    const events = this.events;
    if (!take && !events.length) return true;
    this.pending = this.pending.slice(take.length);
    this.events = [];
    const text = storableText(take);
    const startPos = this.writtenLength;
    const taken = codePointLength(take);
    this.pendingLength -= taken;
    this.flushing = this.write({ startPos, text, first: !this.wroteAny, events }).then(
      (ok) => {
        if (ok) {
          this.wroteAny = true;
          this.written += text;
          this.writtenLength += codePointLength(text);
        } else {
          this.stopped = true;
        }
        return ok;
      },
      (err: unknown) => {
        // Keep the text for a retry of the next flush; a database error is not a refusal.
        this.pending = take + this.pending;
        this.pendingLength += taken;
        this.events = events.concat(this.events);
        this.pausedUntil = Date.now() + PAUSE_AFTER_FAILURE_MS;
        throw err;
      },
    );
    try {
      return await this.flushing;
    } finally {
      this.flushing = null;
    }
  }
}
