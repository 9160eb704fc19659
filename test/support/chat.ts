/**
 * Chat protocol helpers for integration tests: create, send, and poll the way a client does
 * (messages by last uuid, tokens by position), recording what the client saw.
 */
import { expect } from "vitest";
import type { TestClient } from "./client.ts";
import type { RecordedFile } from "./fake-openai.ts";
import { sleep, until } from "./wait.ts";

export interface ChatJson {
  uuid: string;
  title: string;
  status: string;
  agent: string;
  model: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface MessageJson {
  uuid: string;
  chatUuid: string;
  role: "user" | "assistant" | "system";
  content: string;
  status: "pending" | "completed" | "failed" | "cancelled";
  position: number;
  createdAt: string;
  error?: string;
  /** An answer's notes: files its model was not given whole (docs/design.md §3.13). */
  notes?: string[];
}

export interface TokensJson {
  tokens: string;
  status: MessageJson["status"];
  append: boolean;
  position: number;
  error?: string;
}

export async function json<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, `${res.url}: ${text.slice(0, 500)}`).toBe(status);
  return JSON.parse(text) as T;
}

export async function createChat(client: TestClient, body: Record<string, unknown> = {}): Promise<ChatJson> {
  return (await json<{ chat: ChatJson }>(await client.post("/chat/create", body), 201)).chat;
}

export async function send(client: TestClient, chatUuid: string, content: string, extra: Record<string, unknown> = {}): Promise<MessageJson> {
  return (await json<{ message: MessageJson }>(await client.post(`/chat/${chatUuid}/send`, { content, ...extra }), 201)).message;
}

export async function messages(client: TestClient, chatUuid: string, lastUuid?: string) {
  const path = lastUuid ? `/chat/${chatUuid}/messages/${lastUuid}` : `/chat/${chatUuid}/messages`;
  return json<{ messages: MessageJson[]; chat: ChatJson }>(await client.get(path), 200);
}

export { sleep, until } from "./wait.ts";

/** Polls the messages after `afterUuid` until the assistant's answer appears. */
export async function waitForAnswer(client: TestClient, chatUuid: string, afterUuid: string): Promise<MessageJson> {
  return until("the assistant message", async () => (await messages(client, chatUuid, afterUuid)).messages.find((m) => m.role === "assistant"));
}

export interface PollResult {
  text: string;
  status: MessageJson["status"];
  error?: string;
  polls: number;
  /** How many answers replaced the text (append:false). */
  replacements: number;
  position: number;
}

/**
 * Polls a message's tokens from `from` like a client (append or replace), until its status is
 * final or `stopWhen` says so.
 */
export async function pollTokens(
  client: TestClient,
  messageUuid: string,
  opts: {
    from?: { text: string; position: number };
    everyMs?: number;
    timeoutMs?: number;
    stopWhen?: (r: PollResult) => boolean;
    /** Wait out 503 `service_unavailable` for its Retry-After, as the clients do (only the database-outage test expects one). */
    retryUnavailable?: boolean;
  } = {},
): Promise<PollResult> {
  const r: PollResult = { text: opts.from?.text ?? "", status: "pending", polls: 0, replacements: 0, position: opts.from?.position ?? 0 };
  const end = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const res = await client.get(`/chat/message/${messageUuid}/tokens/${r.position}`);
    if (opts.retryUnavailable && res.status === 503 && Date.now() < end) {
      await res.body?.cancel();
      await sleep(Math.min(Number(res.headers.get("retry-after") ?? 1), 2) * 1000);
      continue;
    }
    const t = await json<TokensJson>(res, 200);
    r.polls++;
    if (t.append) {
      r.text += t.tokens;
      expect(t.position).toBe(r.position + [...t.tokens].length);
    } else {
      r.text = t.tokens;
      r.replacements++;
    }
    r.position = t.position;
    expect([...r.text].length).toBe(r.position);
    r.status = t.status;
    r.error = t.error;
    if (t.status !== "pending" || opts.stopWhen?.(r)) return r;
    if (Date.now() > end) throw new Error(`message ${messageUuid} still pending after ${opts.timeoutMs ?? 30_000} ms`);
    await sleep(opts.everyMs ?? 50);
  }
}

/** Sends and follows the answer to its end: the user message, the answer as polled, and the stored answer. */
export async function exchange(client: TestClient, chatUuid: string, content: string, extra: Record<string, unknown> = {}) {
  const user = await send(client, chatUuid, content, extra);
  const answer = await waitForAnswer(client, chatUuid, user.uuid);
  const polled = await pollTokens(client, answer.uuid);
  const stored = (await messages(client, chatUuid)).messages.find((m) => m.uuid === answer.uuid)!;
  return { user, answer, polled, stored };
}

export interface FakeRequest {
  model: string;
  /** `files`: the images and PDFs a message carried, decoded by the fake (RecordedFile). */
  messages: { role: string; content: string; files?: RecordedFile[] }[];
}

/** What the fake model server was sent, newest last (its URL includes /v1). */
export async function fakeRequests(fakeOpenAIUrl: string): Promise<FakeRequest[]> {
  const res = await fetch(new URL("/_test/requests", fakeOpenAIUrl));
  return (await res.json()) as FakeRequest[];
}
