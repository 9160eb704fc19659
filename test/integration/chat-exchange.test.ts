/**
 * A whole exchange over real HTTP: the text a polling client assembles equals the stored
 * answer, which equals what the model sent, whatever the chunking.
 */
import { describe, expect, it } from "vitest";
import { signUp } from "../support/client.ts";
import { parseDirective, scriptedText } from "../support/fake-openai.ts";
import { createChat, exchange, fakeRequests, messages, pollTokens, send, waitForAnswer } from "../support/chat.ts";
import { sharedBaseUrl, sharedFakeOpenAIUrl } from "../support/context.ts";

const baseUrl = sharedBaseUrl();
const fakeUrl = sharedFakeOpenAIUrl();
const expected = (content: string) => scriptedText(parseDirective(content));

describe("a full exchange", () => {
  it("streams the fake model's answer, and tokens, stored content and upstream text agree", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client);
    expect(chat.model).toBe("compatible:fake-model");
    const content = '[[fake text="The quick brown fox jumps over the lazy dog. " repeat=20 chunk=7 delay=3]]';
    const { user, polled, stored } = await exchange(client, chat.uuid, content);
    expect(user).toMatchObject({ role: "user", status: "pending", content, position: [...content].length });
    expect(polled.status).toBe("completed");
    expect(polled.text).toBe(expected(content));
    expect(stored.content).toBe(polled.text);
    expect(stored.status).toBe("completed");
    expect(stored.position).toBe([...polled.text].length);
    expect(polled.replacements).toBe(0);
    // The user's message is completed once its request started.
    const all = await messages(client, chat.uuid);
    expect(all.messages.map((m) => [m.role, m.status])).toEqual([
      ["user", "completed"],
      ["assistant", "completed"],
    ]);
  });

  it("keeps emoji, CJK, combining marks and surrogate pairs split across upstream chunks intact", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client);
    const content = "[[fake unicode=1 split_surrogates=1 chunk=1 delay=1]]";
    const { polled, stored } = await exchange(client, chat.uuid, content);
    expect(polled.text).toBe(expected(content));
    expect(stored.content).toBe(expected(content));
    expect(polled.text).not.toContain("\uFFFD");
  });

  it("carries a 100,000-character answer exactly, with positions in code points", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client);
    const content = "[[fake text=ab😀cdefg repeat=12500 chunk=64 delay=0]]";
    const { polled, stored } = await exchange(client, chat.uuid, content);
    expect(polled.status).toBe("completed");
    expect(polled.position).toBe(100_000);
    expect(stored.content).toBe(expected(content));
    expect(polled.text).toBe(stored.content);
  });

  it("gives two clients polling from different positions the same text", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client);
    const content = '[[fake text="Polling from two places at once. " repeat=30 chunk=5 delay=8]]';
    const user = await send(client, chat.uuid, content);
    const answer = await waitForAnswer(client, chat.uuid, user.uuid);
    // The first client follows from the start; the second joins later from what the list shows.
    const first = pollTokens(client, answer.uuid, { everyMs: 30 });
    await new Promise((r) => setTimeout(r, 400));
    const joined = (await messages(client, chat.uuid, user.uuid)).messages.find((m) => m.uuid === answer.uuid)!;
    const second = await pollTokens(client, answer.uuid, { from: { text: joined.content, position: joined.position }, everyMs: 70 });
    const a = await first;
    expect(a.text).toBe(expected(content));
    expect(second.text).toBe(expected(content));
    expect(second.replacements).toBe(0);
  });

  it("answers with the demo model, which says it is a demo", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client, { model: "demo" });
    const { polled, stored } = await exchange(client, chat.uuid, "How do I sort a list in Python?");
    expect(polled.status).toBe("completed");
    expect(stored.content).toBe(polled.text);
    expect(stored.content.toLowerCase()).toContain("demo");
    expect(stored.content.length).toBeGreaterThan(100);
  });

  it("sends the chat history to the model and titles a new chat after its first answer", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client);
    await exchange(client, chat.uuid, "[[fake text=first-answer]] my first question");
    const second = await exchange(client, chat.uuid, "[[fake text=second-answer]] a follow-up");
    expect(second.stored.content).toBe("second-answer");
    const sent = (await fakeRequests(fakeUrl)).filter((r) => r.messages.some((m) => m.content.includes("a follow-up"))).at(0);
    expect(sent?.messages.map((m) => [m.role, m.content])).toEqual([
      ["system", expect.stringContaining("assistant") as unknown as string],
      ["user", "[[fake text=first-answer]] my first question"],
      ["assistant", "first-answer"],
      ["user", "[[fake text=second-answer]] a follow-up"],
    ]);
    const after = await messages(client, chat.uuid);
    expect(after.chat.title).not.toBe("");
    expect(after.messages.map((m) => m.content)).toEqual([
      "[[fake text=first-answer]] my first question",
      "first-answer",
      "[[fake text=second-answer]] a follow-up",
      "second-answer",
    ]);
  });
});
