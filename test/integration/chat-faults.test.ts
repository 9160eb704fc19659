/**
 * Upstream faults end in a documented state with a sentence a person can act on, and the
 * text received before the fault stays. (The test server runs with FIRST_TOKEN_TIMEOUT_MS=4000
 * and STALL_TIMEOUT_MS=2000; see test/support/app-server.ts.)
 */
import { describe, expect, it } from "vitest";
import { signUp } from "../support/client.ts";
import { parseDirective, scriptedText } from "../support/fake-openai.ts";
import { createChat, exchange, messages } from "../support/chat.ts";
import { sharedBaseUrl } from "../support/context.ts";

const baseUrl = sharedBaseUrl();

async function outcome(content: string) {
  const client = await signUp(baseUrl);
  const chat = await createChat(client);
  const { polled, stored } = await exchange(client, chat.uuid, content);
  expect(stored.content).toBe(polled.text);
  expect(stored.error).toBe(polled.error);
  // The user's message is never lost.
  const user = (await messages(client, chat.uuid)).messages.find((m) => m.role === "user");
  expect(user).toMatchObject({ content, status: "completed" });
  return stored;
}

describe("upstream faults", () => {
  it("a rejected API key (401) fails with a sentence about the key", async () => {
    const m = await outcome("[[fake status=401]]");
    expect(m.status).toBe("failed");
    expect(m.error).toMatch(/API key/);
    expect(m.content).toBe("");
  });

  it("a server error (500) is retried, then fails readably", async () => {
    const m = await outcome("[[fake status=500 retry_after=0]]");
    expect(m.status).toBe("failed");
    expect(m.error).toMatch(/provider had an error \(500\)/);
  });

  it("a 429 with Retry-After is retried and the answer completes", async () => {
    const content = "[[fake status=429 retry_after=1 fail_times=1 text=after-429]]";
    const m = await outcome(content);
    expect(m).toMatchObject({ status: "completed", content: "after-429" });
  });

  it("a persistent 429 fails with a rate-limit sentence", async () => {
    const m = await outcome("[[fake status=429 retry_after=0]]");
    expect(m.status).toBe("failed");
    expect(m.error).toMatch(/rate limiting/);
  });

  it("a connection cut mid-answer fails and keeps the partial text", async () => {
    const content = '[[fake text="0123456789" repeat=10 chunk=10 delay=20 cut_after=3]]';
    const m = await outcome(content);
    expect(m.status).toBe("failed");
    expect(m.error).toMatch(/connection .* broke/);
    expect(m.content).toBe("012345678901234567890123456789");
  });

  it("malformed SSE fails with a readable sentence and keeps what came before", async () => {
    const content = '[[fake text="abcde" repeat=4 chunk=5 delay=20 malformed_after=2]]';
    const m = await outcome(content);
    expect(m.status).toBe("failed");
    expect(m.error).toMatch(/could not be read/);
    expect(scriptedText(parseDirective(content)).startsWith(m.content)).toBe(true);
  });

  it("a stall mid-answer is stopped after the stall timeout, keeping the text", async () => {
    const content = '[[fake text="abcde" repeat=4 chunk=5 delay=10 stall_after=2]]';
    const started = Date.now();
    const m = await outcome(content);
    expect(m.status).toBe("failed");
    expect(m.error).toMatch(/stopped sending text/);
    expect(m.content).toBe("abcdeabcde");
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("no first token within the deadline fails with a sentence saying so", async () => {
    const m = await outcome("[[fake text=late ttft=8000]]");
    expect(m.status).toBe("failed");
    expect(m.error).toMatch(/did not start answering/);
  });
});
