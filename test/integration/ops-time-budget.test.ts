/**
 * The runner's time budget (RUNNER_TIME_BUDGET_MS; on Vercel 285 s by default, under the
 * functions' maxDuration of 300 s): a runner that reaches it hands over like at shutdown
 * (output flushed, lease released), so the next poll resumes the answer at once in another
 * run, which continues the text (docs/design.md §5.5). Hand-overs are not failures: an answer
 * longer than several budgets completes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestClient } from "../support/client.ts";
import { parseDirective, scriptedText } from "../support/fake-openai.ts";
import { createChat, pollTokens, send, waitForAnswer } from "../support/chat.ts";
import { logLines, ownServer, type OwnServer } from "./ops-helpers.ts";

let own: OwnServer;
let client: TestClient;

beforeAll(async () => {
  // A lease far longer than the test: only a released lease lets a poll resume the answer in time.
  own = await ownServer({ RUNNER_TIME_BUDGET_MS: "1500", MAX_ATTEMPTS: "2", LEASE_MS: "120000" });
  client = await signUp(own.server.url);
});
afterAll(async () => {
  await own?.close();
});

function runnerLines(llmRequestId: string) {
  return logLines(own.server.logs()).json.filter((l) => l.llmRequestId === llmRequestId);
}

describe("runner time budget", () => {
  it("a runner that reaches its budget hands over, and the next poll finishes the answer in a second run", async () => {
    const chat = await createChat(client);
    // The provider makes the first call wait 4 s (429, Retry-After): longer than the budget.
    const content = '[[fake text="Finished in a second run. " repeat=8 chunk=6 delay=10 fail_times=1 status=429 retry_after=4]]';
    const started = Date.now();
    const user = await send(client, chat.uuid, content);
    const answer = await waitForAnswer(client, chat.uuid, user.uuid);
    const polled = await pollTokens(client, answer.uuid, { everyMs: 100, timeoutMs: 30_000 });
    expect(polled.status).toBe("completed");
    expect(polled.text).toBe(scriptedText(parseDirective(content)));
    expect(Date.now() - started).toBeLessThan(30_000);

    // This is the server's first answer: its first hand-over is this one.
    const handedOver = logLines(own.server.logs()).json.find((l) => l.msg === "generation handed over");
    const lines = runnerLines(String(handedOver?.llmRequestId));
    const handed = lines.find((l) => l.msg === "generation handed over");
    expect(handed?.attempt).toBe(1);
    expect(String(handed?.why)).toMatch(/time budget of 1500 ms/);
    expect(lines.find((l) => l.msg === "generation completed")).toMatchObject({ attempt: 2 });
  });

  it("an answer several times longer than the budget completes over several runs, each continuing the last", async () => {
    const chat = await createChat(client);
    // About 5 s of streaming against a 1.5 s budget and MAX_ATTEMPTS 2: hand-overs are not failures.
    const content = '[[fake text="longer than one run " repeat=50 chunk=5 delay=20]]';
    const user = await send(client, chat.uuid, content);
    const answer = await waitForAnswer(client, chat.uuid, user.uuid);
    const polled = await pollTokens(client, answer.uuid, { everyMs: 100, timeoutMs: 60_000 });
    expect(polled).toMatchObject({ status: "completed", text: scriptedText(parseDirective(content)), replacements: 0 });
    const requestId = logLines(own.server.logs()).json.find((l) => l.msg === "generation started" && l.chatUuid === chat.uuid)?.llmRequestId;
    const lines = runnerLines(String(requestId));
    expect(lines.filter((l) => l.msg === "generation handed over").length).toBeGreaterThanOrEqual(2);
    expect(lines.filter((l) => l.msg === "continuing the answer from its text so far").length).toBeGreaterThanOrEqual(2);
  });
});
