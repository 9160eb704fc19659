/**
 * Logs: JSON lines (pino), a request id on every line of a request (the caller's sane
 * `x-request-id`, echoed, or a new one), the user id once known, the LLM request id on the
 * runner's lines; no password, secret, cookie or message text unless LOG_PROMPTS=true.
 */
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { TEST_AUTH_SECRET } from "../support/app-server.ts";
import { SESSION_COOKIE, signUp } from "../support/client.ts";
import { createChat, exchange } from "../support/chat.ts";
import { logLines, NEXT_BANNER, ownServer, type LogLine, type OwnServer } from "./ops-helpers.ts";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function serverWith(env: Record<string, string>): Promise<OwnServer> {
  const own = await ownServer(env);
  cleanups.push(() => own.close());
  return own;
}

/** Waits until the server logged a line matching `test` (logs are written asynchronously). */
async function waitForLine(own: OwnServer, test: (l: LogLine) => boolean): Promise<LogLine> {
  const end = Date.now() + 10_000;
  for (;;) {
    const found = logLines(own.server.logs()).json.find(test);
    if (found) return found;
    if (Date.now() > end) throw new Error(`No such log line. Output:\n${own.server.logs().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const marker = () => randomBytes(6).toString("hex");

describe("structured logs", () => {
  it("are JSON lines with request ids, user ids and LLM request ids, and hold no password, secret or message text", async () => {
    const own = await serverWith({ LOG_LEVEL: "debug" });
    const password = `pw-secret-${marker()}`;
    const client = await signUp(own.server.url, { password });
    const chat = await createChat(client);
    const question = `Question-${marker()}`;
    const answerText = `Answer-${marker()}`;
    const { polled, user } = await exchange(client, chat.uuid, `${question} [[fake text="${answerText} " repeat=12 chunk=7 delay=5]]`);
    expect(polled.status).toBe("completed");
    expect(polled.text).toContain(answerText);

    // The caller's request id is kept and echoed; a malformed one is replaced.
    const given = `ops-test-${marker()}`;
    const res = await client.get(`/chat/${chat.uuid}/messages`, { headers: { "x-request-id": given } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe(given);
    const bad = await client.get(`/chat/${chat.uuid}/messages`, { headers: { "x-request-id": "no spaces or <html> allowed" } });
    expect(bad.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);

    const givenLine = await waitForLine(own, (l) => l.requestId === given);
    const completed = await waitForLine(own, (l) => l.msg === "generation completed");
    const output = own.server.logs();
    const { json, other } = logLines(output);

    // Only Next's own start-up banner is plain text.
    expect(other.filter((l) => !NEXT_BANNER.test(l))).toEqual([]);
    for (const line of json) {
      expect([typeof line.level, typeof line.time, typeof line.msg], JSON.stringify(line)).toEqual(["string", "string", "string"]);
      // No trace ids without tracing (ops-traces.test.ts checks them with it).
      expect(line, JSON.stringify(line)).not.toHaveProperty("trace_id");
    }

    // One line per request, each with its id; the user's once signed in.
    const requests = json.filter((l) => l.msg === "request");
    expect(requests.length).toBeGreaterThan(5);
    for (const line of requests) expect(typeof line.requestId, JSON.stringify(line)).toBe("string");
    expect(new Set(requests.map((l) => l.requestId)).size).toBe(requests.length);
    const sendLine = requests.find((l) => l.method === "POST" && l.route === "/chat/[uuid]/send");
    expect(sendLine).toMatchObject({ status: 201 });
    expect(typeof sendLine?.userId).toBe("string");
    expect(typeof sendLine?.ms).toBe("number");
    expect(givenLine).toMatchObject({ msg: "request", route: "/chat/[uuid]/messages", status: 200, userId: sendLine!.userId });

    // The runner's lines carry the LLM request id and attempt, and the id of the request that started it.
    const started = json.find((l) => l.msg === "generation started");
    expect(started).toMatchObject({ llmRequestId: completed.llmRequestId, attempt: 1, userId: sendLine!.userId });
    expect(typeof started?.requestId).toBe("string");
    expect(completed).toMatchObject({ attempt: 1, characters: polled.text.length });
    expect(typeof completed.ms).toBe("number");
    expect(json.filter((l) => l.llmRequestId === completed.llmRequestId).length).toBeGreaterThanOrEqual(2);

    // Nothing a user typed or was answered, no credential.
    for (const secret of [password, TEST_AUTH_SECRET, question, answerText, user.content, client.jar.get(SESSION_COOKIE)!]) {
      expect(output).not.toContain(secret);
    }
    expect(output).not.toMatch(/"password"\s*:\s*"[^[]/);
  });

  it("with LOG_PROMPTS=true the runner logs the prompt and the answer", async () => {
    const own = await serverWith({ LOG_PROMPTS: "true" });
    const client = await signUp(own.server.url);
    const chat = await createChat(client);
    const question = `Question-${marker()}`;
    const answerText = `Answer-${marker()}`;
    const { polled } = await exchange(client, chat.uuid, `${question} [[fake text="${answerText}"]]`);
    expect(polled.status).toBe("completed");
    const prompt = await waitForLine(own, (l) => l.msg === "prompt");
    expect(JSON.stringify(prompt)).toContain(question);
    const completed = await waitForLine(own, (l) => l.msg === "generation completed");
    expect(completed.answer).toBe(answerText);
    expect(own.server.logs()).not.toContain(client.password);
  });

  it("a start-up failure is one JSON line on stderr whose message is the sentence", async () => {
    const err = await ownServer({ LOG_LEVEL: "loud" }).then(
      async (own) => {
        await own.close();
        return undefined;
      },
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/exited before it was ready \(code 1/);
    const fatal = logLines(err!.message.slice(err!.message.indexOf("{"))).json.find((l) => l.level === "fatal");
    expect(fatal?.msg).toMatch(/^Cannot start: Invalid environment: LOG_LEVEL: /);
  });
});
