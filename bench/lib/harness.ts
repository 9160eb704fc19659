/**
 * What every perf benchmark needs: the BUILT app on a fresh database (PostgreSQL when
 * DATABASE_URL is set, else a temp PGlite dir), the fake OpenAI server in this process (so
 * the moment a chunk leaves it is known on this clock), and a few protocol helpers.
 * Erasable TypeScript only: run by plain `node bench/....ts`.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { createTestDatabase, projectRoot, removeDataDir, startAppServer, testAppEnv, type AppServer, type TestDatabase } from "../../test/support/app-server.ts";
import { startFakeOpenAI, type ChunkEvent, type FakeOpenAI } from "../../test/support/fake-openai.ts";
import { signUp, type TestClient } from "../../test/support/client.ts";
import { sleep, until } from "../../test/support/wait.ts";

export interface Stack {
  app: AppServer;
  fake: FakeOpenAI;
  db: TestDatabase;
  env: Record<string, string>;
  /** The database the app uses (PostgreSQL only): for pg_stat / WAL measurements. */
  databaseUrl: string | undefined;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Merged over the test environment; `undefined` removes a variable (back to the app's default). */
  env?: Record<string, string | undefined>;
  onChunk?: (e: ChunkEvent) => void;
  /** Another PostgreSQL server than DATABASE_URL's (a throwaway cluster) for the fresh database. */
  serverUrl?: string;
}

/**
 * Production defaults, not the test harness's short leases and timeouts: benchmarks measure
 * what a deployment does. Rate limits stay off (one user may run many answers).
 */
export const BENCH_ENV: Record<string, string | undefined> = {
  LEASE_MS: undefined,
  FIRST_TOKEN_TIMEOUT_MS: undefined,
  STALL_TIMEOUT_MS: "600000",
  QUEUED_GRACE_MS: undefined,
  LOG_LEVEL: "warn",
};

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  if (!existsSync(path.join(projectRoot, ".next", "BUILD_ID"))) {
    throw new Error("Build the app first: npm run build");
  }
  const fake = await startFakeOpenAI({ onChunk: opts.onChunk });
  const db = await createTestDatabase(opts.serverUrl ?? process.env.DATABASE_URL);
  const env = testAppEnv(db, fake.url);
  const merged: Record<string, string | undefined> = { ...env, ...BENCH_ENV, ...opts.env };
  let app: AppServer;
  try {
    app = await startAppServer({ env: merged });
  } catch (err) {
    await fake.close();
    await db.drop();
    removeDataDir(env);
    throw err;
  }
  return {
    app,
    fake,
    db,
    env,
    databaseUrl: "url" in db ? db.url : undefined,
    async stop() {
      await app.stop();
      await fake.close();
      await db.drop();
      removeDataDir(env);
    },
  };
}

export { signUp, type TestClient };

export interface MessageJson {
  uuid: string;
  role: string;
  status: string;
  content: string;
  position: number;
}

export interface TokensJson {
  tokens: string;
  status: string;
  append: boolean;
  position: number;
}

async function json<T>(res: Response, ...ok: number[]): Promise<T> {
  const text = await res.text();
  if (!ok.includes(res.status)) throw new Error(`${res.url} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export async function createChat(client: TestClient): Promise<string> {
  return (await json<{ chat: { uuid: string } }>(await client.post("/chat/create", {}), 201)).chat.uuid;
}

export async function send(client: TestClient, chatUuid: string, content: string): Promise<MessageJson> {
  return (await json<{ message: MessageJson }>(await client.post(`/chat/${chatUuid}/send`, { content }), 201)).message;
}

export async function messagesAfter(client: TestClient, chatUuid: string, lastUuid: string): Promise<MessageJson[]> {
  return (await json<{ messages: MessageJson[] }>(await client.get(`/chat/${chatUuid}/messages/${lastUuid}`), 200)).messages;
}

export async function tokens(client: TestClient, messageUuid: string, position: number): Promise<TokensJson> {
  return json<TokensJson>(await client.get(`/chat/message/${messageUuid}/tokens/${position}`), 200);
}

export { sleep, until };

/** The assistant message answering `userMessage` once it exists. */
export function answerTo(client: TestClient, chatUuid: string, userMessageUuid: string): Promise<MessageJson> {
  return until("the assistant message", async () => (await messagesAfter(client, chatUuid, userMessageUuid)).find((m) => m.role === "assistant"), 30_000, 20);
}

/** Epoch milliseconds with sub-millisecond precision, on the same clock as ChunkEvent.at. */
export const now = (): number => performance.timeOrigin + performance.now();

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

export function dbLabel(): string {
  return process.env.DATABASE_URL ? "PostgreSQL" : "PGlite";
}

/**
 * The endpoints poll-cost.ts and cpu-split.ts drive, signed in as `client`: the empty route
 * handler, the guard alone, a messages poll with no news (after a completed answer) and the
 * tokens poll of an answer that stays pending after its first chunk, from that chunk's end.
 */
export async function pollEndpoints(client: TestClient): Promise<{ endpoints: Record<string, string>; pendingAnswer: string }> {
  const quiet = await createChat(client);
  const asked = await send(client, quiet, '[[fake text="Done."]]');
  const answer = await answerTo(client, quiet, asked.uuid);
  await until("the answer to complete", async () => ((await tokens(client, answer.uuid, 0)).status === "completed" ? true : undefined), 30_000, 50);
  const busy = await createChat(client);
  const asked2 = await send(client, busy, '[[fake text="Hello" stall_after=1]]');
  const pending = await answerTo(client, busy, asked2.uuid);
  const position = await until("the first chunk", async () => {
    const t = await tokens(client, pending.uuid, 0);
    return t.position > 0 ? t.position : undefined;
  }, 30_000, 50);
  return {
    endpoints: {
      empty: "/api/bench/empty",
      guard: "/api/bench/session",
      messages: `/chat/${quiet}/messages/${answer.uuid}`,
      tokens: `/chat/message/${pending.uuid}/tokens/${position}`,
    },
    pendingAnswer: pending.uuid,
  };
}
