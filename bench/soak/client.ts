/**
 * One simulated browser tab: it polls its chat's messages by last uuid every 300 ms, and while
 * an answer is pending, that answer's tokens by position every 300 ms (applying `append`
 * exactly as docs/design.md §3.3 says), the way client/messages.ts and stream.ts do. When it holds a
 * generation slot it sends a message and follows the answer to its end, then checks the text
 * it put together against the stored message and against what the fake model was told to send.
 */
import type { TestClient } from "../../test/support/client.ts";
import { codePoints, type PlannedAnswer } from "./answers.ts";
import type { Endpoint, Stats } from "./stats.ts";

export interface MessageJson {
  uuid: string;
  role: string;
  content: string;
  status: string;
  position: number;
}

interface TokensJson {
  tokens: string;
  status: string;
  append: boolean;
  position: number;
  error?: string;
}

/** A counting semaphore: at most N answers generate at once across all clients. */
export class Slots {
  private free: number;
  private readonly waiting: ((ok: boolean) => void)[] = [];
  private closed = false;
  constructor(n: number) {
    this.free = n;
  }
  acquire(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.free++;
  }
  /** Nobody gets a slot any more; those waiting are told so. */
  close(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w(false);
  }
}

export interface Run {
  stats: Stats;
  slots: Slots;
  pollMs: number;
  requestTimeoutMs: number;
  /** False once the load phase is over: no new messages. */
  sending(): boolean;
  /** True once everything should stop (all answers done, or the hard deadline). */
  stopped(): boolean;
  plan(clientIndex: number): PlannedAnswer;
}

interface Waiting {
  userUuid: string;
  planned: PlannedAnswer;
  done: () => void;
}

interface Tracking {
  uuid: string;
  text: string;
  position: number;
  replaced: boolean;
}

const FINAL = new Set(["completed", "failed", "cancelled"]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SimulatedClient {
  private lastUuid: string | undefined;
  private waiting: Waiting | undefined;
  private tracking: Tracking | undefined;
  /** Ends when this client will send nothing more and its last answer is verified or given up. */
  private sending: Promise<void> = Promise.resolve();

  private readonly http: TestClient;
  /** Who polls: the same client, or (with several servers) the same user on another server. */
  private readonly reader: TestClient;
  private readonly chatUuid: string;
  private readonly index: number;
  private readonly run: Run;

  constructor(http: TestClient, chatUuid: string, index: number, run: Run, reader: TestClient = http) {
    this.http = http;
    this.reader = reader;
    this.chatUuid = chatUuid;
    this.index = index;
    this.run = run;
  }

  /** Runs until the run stops. Resolves; every failure is counted in stats. */
  async loop(): Promise<void> {
    // Spread the clients over one poll interval, as tabs opened at different times would be.
    await sleep(Math.random() * this.run.pollMs);
    this.sending = this.sendLoop();
    await Promise.all([this.pollMessagesLoop(), this.pollTokensLoop(), this.sending]);
  }

  /** Resolves once the load phase is over for this client and its last answer is verified (or given up). */
  settled(): Promise<void> {
    return this.sending;
  }

  hasOpenAnswer(): boolean {
    return this.waiting !== undefined;
  }

  private async every(fn: () => Promise<void>): Promise<void> {
    while (!this.run.stopped()) {
      const started = performance.now();
      await fn();
      const wait = this.run.pollMs - (performance.now() - started);
      if (wait > 0) await sleep(wait);
    }
  }

  private pollMessagesLoop(): Promise<void> {
    return this.every(async () => {
      const path = this.lastUuid ? `/chat/${this.chatUuid}/messages/${this.lastUuid}` : `/chat/${this.chatUuid}/messages`;
      const body = await this.call<{ messages: MessageJson[] }>("messages", path);
      if (!body) return;
      for (const m of body.messages) {
        // UUIDv7: string order is creation order, so a late answer never moves us backwards.
        if (!this.lastUuid || m.uuid > this.lastUuid) this.lastUuid = m.uuid;
        const w = this.waiting;
        if (w && !this.tracking && m.role === "assistant" && m.uuid > w.userUuid) {
          // A client that learns of a pending answer from the list shows its content and polls from its position.
          this.tracking = { uuid: m.uuid, text: m.content, position: m.position, replaced: false };
          this.run.stats.charsReceived += m.content.length;
          if (codePoints(m.content) !== m.position) {
            this.run.stats.problem({ kind: "protocol", endpoint: "messages", detail: `message ${m.uuid}: position ${m.position} but content has ${codePoints(m.content)} code points` });
          }
        }
      }
    });
  }

  private pollTokensLoop(): Promise<void> {
    return this.every(async () => {
      const t = this.tracking;
      const w = this.waiting;
      if (!t || !w) return;
      const body = await this.call<TokensJson>("tokens", `/chat/message/${t.uuid}/tokens/${t.position}`);
      if (!body) return;
      if (body.append) {
        if (body.position !== t.position + codePoints(body.tokens)) {
          this.run.stats.problem({ kind: "protocol", endpoint: "tokens", detail: `message ${t.uuid}: append from ${t.position} with ${codePoints(body.tokens)} code points answered position ${body.position}` });
        }
        t.text += body.tokens;
      } else {
        t.text = body.tokens;
        t.replaced = true;
      }
      t.position = body.position;
      this.run.stats.charsReceived += body.tokens.length;
      if (FINAL.has(body.status)) await this.verify(w, t, body);
    });
  }

  private async verify(w: Waiting, t: Tracking, last: TokensJson): Promise<void> {
    const stats = this.run.stats;
    if (last.status !== "completed") {
      stats.problem({ kind: "mismatch", endpoint: "tokens", detail: `message ${t.uuid} ended ${last.status}${last.error ? `: ${last.error}` : ""}` });
    }
    const body = await this.call<{ messages: MessageJson[] }>("verify", `/chat/${this.chatUuid}/messages/${w.userUuid}`);
    const stored = body?.messages.find((m) => m.uuid === t.uuid);
    if (body && !stored) stats.problem({ kind: "mismatch", endpoint: "verify", detail: `message ${t.uuid} is missing from the list` });
    if (stored && (stored.content !== t.text || stored.status !== last.status)) {
      stats.problem({ kind: "mismatch", endpoint: "verify", detail: `message ${t.uuid}: polled ${describe(t.text)} (${last.status}), stored ${describe(stored.content)} (${stored.status})` });
    }
    if (t.text !== w.planned.expected) {
      stats.problem({ kind: "mismatch", endpoint: "tokens", detail: `message ${t.uuid}: polled ${describe(t.text)}, the model sent ${describe(w.planned.expected)}` });
    }
    if (t.position !== codePoints(t.text)) {
      stats.problem({ kind: "protocol", endpoint: "tokens", detail: `message ${t.uuid}: final position ${t.position}, text has ${codePoints(t.text)} code points` });
    }
    if (t.replaced) stats.answersReplaced++;
    stats.answersVerified++;
    this.tracking = undefined;
    this.waiting = undefined;
    w.done();
  }

  private async sendLoop(): Promise<void> {
    while (this.run.sending()) {
      if (!(await this.run.slots.acquire())) return;
      try {
        await this.sendOne();
      } finally {
        this.run.slots.release();
      }
    }
  }

  private async sendOne(): Promise<void> {
    const planned = this.run.plan(this.index);
    const body = await this.call<{ message: MessageJson }>("send", `/chat/${this.chatUuid}/send`, { content: planned.content });
    if (!body) {
      await sleep(this.run.pollMs);
      return;
    }
    this.run.stats.answersSent++;
    if (this.run.stopped()) {
      this.run.stats.problem({ kind: "unfinished", detail: `answer to ${body.message.uuid}: sent as the run ended` });
      return;
    }
    if (!this.lastUuid || body.message.uuid > this.lastUuid) this.lastUuid = body.message.uuid;
    await new Promise<void>((done) => (this.waiting = { userUuid: body.message.uuid, planned, done }));
  }

  /** Stops waiting for an answer that did not end in time (counted as an error). */
  abandon(): void {
    const w = this.waiting;
    if (!w) return;
    this.run.stats.problem({ kind: "unfinished", detail: `answer to ${w.userUuid} in chat ${this.chatUuid} was not final when the run ended` });
    this.tracking = undefined;
    this.waiting = undefined;
    w.done();
  }

  /** One request, timed; undefined (and an error counted) on anything but 2xx with JSON. */
  private async call<T>(endpoint: Endpoint, path: string, json?: unknown): Promise<T | undefined> {
    const started = performance.now();
    let status = 0;
    try {
      const init: RequestInit = { signal: AbortSignal.timeout(this.run.requestTimeoutMs) };
      if (json !== undefined) Object.assign(init, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(json) });
      // Writes through this client's server, reads through its reader's (another server's, with several).
      const res = await (json === undefined ? this.reader : this.http).request(path, init);
      status = res.status;
      const text = await res.text();
      this.run.stats.latency(endpoint, performance.now() - started);
      if (status < 200 || status > 299) {
        this.run.stats.problem({ kind: "http", endpoint, status, detail: `${init.method ?? "GET"} ${path}: ${text.slice(0, 300)}` });
        return undefined;
      }
      return JSON.parse(text) as T;
    } catch (err) {
      if (status === 0) this.run.stats.latency(endpoint, performance.now() - started);
      this.run.stats.problem({ kind: status ? "http" : "network", endpoint, status, detail: `${path}: ${(err as Error).message}` });
      return undefined;
    }
  }
}

function describe(text: string): string {
  const cps = codePoints(text);
  return `${cps} code points ${JSON.stringify(text.length > 60 ? `${text.slice(0, 30)}…${text.slice(-30)}` : text)}`;
}

/**
 * One short exchange before the clock starts, so that the first timed requests do not pay for
 * loading each route's code in the freshly started server.
 */
export async function warmUp(http: TestClient, chatUuid: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const get = async <T>(p: string): Promise<T> => {
    const res = await http.get(p);
    if (res.status !== 200) throw new Error(`warm-up: GET ${p} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
  const sent = await http.post(`/chat/${chatUuid}/send`, { content: 'Warm-up. [[fake text="warm up" chunk=2 delay=5]]' });
  if (sent.status !== 201) throw new Error(`warm-up: send answered ${sent.status}: ${await sent.text()}`);
  const user = ((await sent.json()) as { message: MessageJson }).message;
  for (;;) {
    if (Date.now() > deadline) throw new Error("warm-up: the answer did not finish in time");
    const { messages } = await get<{ messages: MessageJson[] }>(`/chat/${chatUuid}/messages/${user.uuid}`);
    const answer = messages.find((m) => m.role === "assistant");
    if (answer && FINAL.has((await get<TokensJson>(`/chat/message/${answer.uuid}/tokens/0`)).status)) return;
    await sleep(100);
  }
}
