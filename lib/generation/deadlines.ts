/**
 * The deadlines of one attempt, as one object instead of four loose timers: the model must
 * start within FIRST_TOKEN_TIMEOUT_MS, must not go quiet for STALL_TIMEOUT_MS once it has
 * started, and the whole answer must end within GENERATION_TIMEOUT_MS; a runner with a time
 * budget (Vercel) hands over when it is spent. Each expiry calls `onExpire` once with the
 * reason, as a GenerationStop carrying the sentence a person will read.
 */
import "server-only";
import { GenerationStop } from "./errors";

export interface DeadlineSettings {
  firstTokenMs: number;
  stallMs: number;
  totalMs: number;
  /** Hand over (like at shutdown) after this long; undefined: no budget. */
  budgetMs: number | undefined;
}

const seconds = (ms: number) => Math.round(ms / 1000);

export class Deadlines {
  private readonly total: NodeJS.Timeout;
  private readonly budget: NodeJS.Timeout | undefined;
  private firstToken: NodeJS.Timeout | undefined;
  private stall: NodeJS.Timeout | undefined;
  private paused = 0;

  constructor(
    private readonly s: DeadlineSettings,
    private readonly onExpire: (stop: GenerationStop) => void,
  ) {
    this.total = setTimeout(
      () => onExpire(new GenerationStop("timeout", `The answer took longer than ${seconds(s.totalMs)} seconds and was stopped. Retry, or ask for a shorter answer.`)),
      s.totalMs,
    );
    this.armFirstToken();
    this.budget =
      s.budgetMs === undefined
        ? undefined
        : setTimeout(() => onExpire(new GenerationStop("shutdown", `The runner reached its time budget of ${s.budgetMs} ms.`)), s.budgetMs);
  }

  private armFirstToken(): void {
    this.firstToken = setTimeout(
      () => this.onExpire(new GenerationStop("first_token", `The model did not start answering within ${seconds(this.s.firstTokenMs)} seconds. Retry in a moment.`)),
      this.s.firstTokenMs,
    );
  }

  /**
   * The model is asked now: its first-token clock starts over (what came before, connecting
   * to the tools' servers or a carried call's approval, is not the model being slow).
   */
  asking(): void {
    this.paused = 0;
    clearTimeout(this.firstToken);
    clearTimeout(this.stall);
    this.stall = undefined;
    this.armFirstToken();
  }

  /** Text arrived: the model has started, and the stall clock starts over. */
  textArrived(): void {
    if (this.paused > 0) return;
    if (this.firstToken) {
      clearTimeout(this.firstToken);
      this.firstToken = undefined;
    }
    clearTimeout(this.stall);
    this.stall = setTimeout(
      () => this.onExpire(new GenerationStop("stall", `The model stopped sending text for ${seconds(this.s.stallMs)} seconds, so the answer was stopped. Retry.`)),
      this.s.stallMs,
    );
  }

  /**
   * A tool runs or waits for a member's approval: the model's first-token and stall clocks stop
   * (the total and the budget go on). Calls may overlap: the clocks start again after the last.
   */
  pause(): void {
    this.paused++;
    clearTimeout(this.stall);
    clearTimeout(this.firstToken);
    this.stall = this.firstToken = undefined;
  }

  /** The tool is done: the model was active just now, its stall clock starts over. */
  resume(): void {
    this.paused = Math.max(0, this.paused - 1);
    if (this.paused === 0) this.textArrived();
  }

  /** The model is done: its deadlines no longer apply (the time budget still does). */
  modelDone(): void {
    for (const timer of [this.total, this.stall, this.firstToken]) clearTimeout(timer);
  }

  clear(): void {
    this.modelDone();
    clearTimeout(this.budget);
  }
}
