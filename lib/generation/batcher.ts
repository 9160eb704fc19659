/**
 * Collects model output and hands it to `write` in batches: at most once per interval, or at
 * once when `maxChars` are waiting. A batch never ends inside a surrogate pair (an upstream
 * may split one across two chunks), and text is made storable before it is counted, so
 * positions in code points match what PostgreSQL stores and counts.
 */
import "server-only";
import { codePointLength, storableText } from "../text";

/** After a failed write, how long `push` leaves flushing to the caller's heartbeat. */
const PAUSE_AFTER_FAILURE_MS = 500;

export type WriteBatch = (batch: { startPos: number; text: string; first: boolean }) => Promise<boolean>;

export class OutputBatcher {
  private pending = "";
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

  /** Text the database already holds for this attempt (carried over from the one before): output goes on after it. */
  carry(text: string): void {
    if (this.wroteAny || this.pending) throw new Error("carry() comes before any output");
    this.written = text;
    this.writtenLength = codePointLength(text);
  }

  /** Everything written so far (what the database holds for this attempt). */
  get text(): string {
    return this.written;
  }

  get length(): number {
    return this.writtenLength;
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Adds model output; resolves false once a write was refused (stop generating). */
  push(delta: string): boolean {
    if (this.stopped) return false;
    this.pending += delta;
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
    if (!take) return true;
    this.pending = this.pending.slice(take.length);
    const text = storableText(take);
    const startPos = this.writtenLength;
    this.flushing = this.write({ startPos, text, first: !this.wroteAny }).then(
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
