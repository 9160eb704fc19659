/**
 * A runner's line to the database while the model talks: its output written in batches (one
 * write per flush interval at most, whatever the token rate), the lease renewed in the same
 * write when it is due (or on its own when the model is quiet), and a cancel or take-over from
 * another process noticed (every write is fenced by the attempt; an idle runner asks every
 * second). A database that does not answer costs nothing but a retry: the text waits in memory.
 */
import "server-only";
import { appendChunk, renewLease, stillOwned } from "@/db/queries/attempts";
import { OutputBatcher, type NewPartEvent } from "./batcher";
import type { PartEvent } from "../parts";
import { GenerationStop } from "./errors";
import type { Logger } from "../log";

/** How often a runner with no new text checks that it was not cancelled elsewhere. */
const IDLE_CHECK_MS = 1_000;
/** After a failed heartbeat, how long to wait before the next one (an outage is not hammered). */
const HEARTBEAT_RETRY_MS = 500;

export interface HeartbeatOptions {
  requestUuid: string;
  attempt: number;
  leaseMs: number;
  flushIntervalMs: number;
  flushMaxChars: number;
  logger: Logger;
  /** Called once the request is no longer this runner's (cancelled, taken over, deleted). */
  onFenced: (stop: GenerationStop) => void;
  /** The runner is stopping: no more beats. */
  stopped: () => boolean;
}

export class Heartbeat {
  readonly batcher: OutputBatcher;
  private lastRenew = Date.now();
  private lastCheck = Date.now();
  /** When the last write of output started: at most one write per interval. */
  private lastFlushAt = 0;
  private beating = false;
  private dbDownSince: number | undefined;
  private retryAt = 0;
  private dueTimer: NodeJS.Timeout | undefined;
  private readonly tick: NodeJS.Timeout;

  constructor(private readonly o: HeartbeatOptions) {
    // The chunk insert renews the lease when it is due (one statement, not two): writes stay at
    // one per flush interval (bench/writes.ts).
    this.batcher = new OutputBatcher(async (b) => {
      const renew = Date.now() - this.lastRenew >= o.leaseMs / 3;
      const at = Date.now();
      const ok = await appendChunk({
        requestUuid: o.requestUuid,
        attempt: o.attempt,
        startPos: b.startPos,
        text: b.text,
        events: b.events,
        first: b.first,
        renewLeaseMs: renew ? o.leaseMs : undefined,
      });
      if (ok && renew) this.lastRenew = at;
      return ok;
    }, o.flushMaxChars);
    this.tick = setInterval(() => this.beat(), o.flushIntervalMs);
  }

  /**
   * New model output. The first token is written at once (time to first token is what a user
   * waits through); later text at once too when the last write is an interval old (a slow
   * model's every token), else exactly when the interval is up, not at the next tick after it.
   * Returns false once a write was refused: stop generating.
   */
  push(text: string): boolean {
    const first = !this.batcher.hasPending && this.lastFlushAt === 0;
    if (!this.batcher.push(text)) return false;
    this.schedule(first);
    return true;
  }

  /**
   * A part event (reasoning, a tool call, a source: lib/parts.ts), written with the text's next
   * batch on the same schedule. Undefined once a write was refused.
   */
  event(e: NewPartEvent): PartEvent | undefined {
    if (this.batcher.isStopped) return undefined;
    const first = !this.batcher.hasPending && this.lastFlushAt === 0;
    const event = this.batcher.event(e);
    this.schedule(first);
    return event;
  }

  private schedule(first: boolean): void {
    if (first) {
      this.lastFlushAt = Date.now();
      this.batcher.flush().catch(() => {});
    } else if (!this.dueTimer && !this.o.stopped()) {
      this.dueTimer = setTimeout(
        () => {
          this.dueTimer = undefined;
          this.beat();
        },
        Math.max(0, this.lastFlushAt + this.o.flushIntervalMs - Date.now()),
      );
    }
  }

  private beat(): void {
    if (this.beating || this.o.stopped() || Date.now() < this.retryAt) return;
    this.beating = true;
    void (async () => {
      try {
        const { requestUuid, attempt, leaseMs } = this.o;
        let owned = true;
        const now = Date.now();
        if (this.batcher.hasPending && now - this.lastFlushAt >= this.o.flushIntervalMs) {
          this.lastFlushAt = now;
          owned = await this.batcher.flush();
          this.lastCheck = now;
        } else if (now - this.lastCheck >= IDLE_CHECK_MS) {
          owned = await stillOwned({ requestUuid, attempt });
          this.lastCheck = now;
        }
        // The chunk insert renews the lease from a third of it on; a separate renewal only when
        // no write did it by half of it (a quiet model): no extra write while text flows.
        if (owned && now - this.lastRenew >= leaseMs / 2) {
          owned = await renewLease({ requestUuid, attempt, leaseMs });
          this.lastRenew = now;
        }
        if (!owned) this.o.onFenced(new GenerationStop("fenced", "This generation was cancelled or taken over."));
        if (this.dbDownSince !== undefined) {
          this.o.logger.info({ downMs: Date.now() - this.dbDownSince }, "heartbeat works again; output written");
          this.dbDownSince = undefined;
        }
      } catch (err) {
        // The database hiccuped or is down: the model goes on, its output waits in memory, and
        // the heartbeat tries again a little later (one warning per outage, not one per beat).
        if (this.dbDownSince === undefined) this.o.logger.warn({ err }, "heartbeat failed; output kept in memory until the database answers");
        this.dbDownSince ??= Date.now();
        this.retryAt = Date.now() + HEARTBEAT_RETRY_MS;
      } finally {
        this.beating = false;
      }
    })();
  }

  /** No more beats; resolves once the one in progress (if any) is done, so the last write goes alone. */
  async stop(): Promise<void> {
    clearInterval(this.tick);
    clearTimeout(this.dueTimer);
    this.dueTimer = undefined;
    while (this.beating) await new Promise((r) => setTimeout(r, 5));
  }
}
