/**
 * Pure logic on both sides of the polls: the model's input built from a chat's history
 * (lib/generation/prompt.ts), and how the browser merges what a messages poll answers into
 * what it shows (client/messages.ts).
 */
import { describe, expect, it } from "vitest";
import { buildPrompt } from "../../lib/generation/prompt.ts";
import { mergeAfter, mergeFull } from "../../client/messages.ts";
import type { ChatMessage } from "../../db/schema.ts";
import type { ChatDto, MessageDto } from "../../lib/contract.ts";

let n = 0;
function msg(role: ChatMessage["role"], content: string, over: Partial<ChatMessage> & { authorName?: string | null } = {}): ChatMessage & { authorName?: string | null } {
  n++;
  return {
    uuid: `0190f5b8-7c1e-7cc3-9a39-${String(n).padStart(12, "0")}`,
    chatUuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3e",
    role,
    content,
    status: "completed",
    llmRequestUuid: null,
    error: null,
    authorId: null,
    parts: null,
    partsCursor: null,
    parentUuid: null,
    selected: true,
    hidden: false,
    notes: null,
    createdAt: new Date(1_700_000_000_000 + n),
    ...over,
  };
}

describe("buildPrompt", () => {
  it("sends the history in order with the system prompt, leaving out a pending answer and empty messages", () => {
    const history = [msg("user", "Hi"), msg("assistant", "Hello!"), msg("user", ""), msg("assistant", "", { status: "pending" }), msg("user", "How are you?")];
    const built = buildPrompt(history, { system: "Be brief.", budgetChars: 10_000 });
    expect(built.system).toBe("Be brief.");
    expect(built.messages).toEqual([
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello!" },
      { role: "user", content: "How are you?" },
    ]);
    expect(built.messageUuids).toEqual([history[0]!.uuid, history[1]!.uuid, history[4]!.uuid]);
    expect(built.trimmed).toBe(false);
  });

  it("keeps the newest messages within the budget and starts with the user", () => {
    const history = [msg("user", "a".repeat(50)), msg("assistant", "b".repeat(50)), msg("user", "c".repeat(20)), msg("assistant", "d".repeat(20)), msg("user", "e".repeat(10))];
    const built = buildPrompt(history, { budgetChars: 60 });
    // Newest first until the budget: e(10) d(20) c(20) = 50; b(50) would pass 60.
    expect(built.messages.map((m) => m.content)).toEqual(["c".repeat(20), "d".repeat(20), "e".repeat(10)]);
    expect(built.trimmed).toBe(true);
    // An answer left first by the cut is dropped: a conversation starts with the user.
    const cut = buildPrompt(history, { budgetChars: 35 });
    expect(cut.messages[0]!.role).toBe("user");
  });

  it("cuts a lone prompt longer than the budget from its start", () => {
    const built = buildPrompt([msg("user", "0123456789")], { system: "sys", budgetChars: 7 });
    expect(built.messages).toEqual([{ role: "user", content: "6789" }]);
  });

  it("names the authors in a chat of several people", () => {
    const history = [msg("user", "Hi", { authorName: "Alice" }), msg("assistant", "Hello"), msg("user", "Me too", { authorName: "Bob" })];
    const built = buildPrompt(history, { system: "Be kind.", budgetChars: 10_000, authors: true });
    expect(built.messages.map((m) => m.content)).toEqual(["Alice: Hi", "Hello", "Bob: Me too"]);
    expect(built.system).toMatch(/^Be kind\.\n\nSeveral people take part/);
  });
});

describe("merging a messages poll into the cache", () => {
  const chat: ChatDto = {
    uuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3e",
    title: "",
    status: "active",
    agent: "assistant",
    model: "demo",
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    role: "owner",
    shared: false,
  };
  const dto = (uuid: string, status: MessageDto["status"], content = ""): MessageDto => ({
    uuid,
    chatUuid: chat.uuid,
    role: "assistant",
    content,
    status,
    position: [...content].length,
    createdAt: "2026-01-01T00:00:00.000Z",
  });

  it("appends new messages and keeps the ones still being sent last", () => {
    const state = { chat, messages: [dto("a", "completed", "one"), { ...dto("local", "pending", "typed"), local: "sending" as const }] };
    const merged = mergeAfter(state, { chat, messages: [dto("b", "pending")], presence: [], generation: null });
    expect(merged.messages.map((m) => m.uuid)).toEqual(["a", "b", "local"]);
  });

  it("never takes a message back from a final status to pending", () => {
    const state = { chat, messages: [dto("a", "completed", "the answer")] };
    expect(mergeAfter(state, { chat, messages: [dto("a", "pending", "the")], presence: [], generation: null }).messages[0]).toMatchObject({ status: "completed", content: "the answer" });
    expect(mergeFull(state, { chat, messages: [dto("a", "pending", "the")], presence: [], generation: null }).messages[0]).toMatchObject({ status: "completed" });
  });

  it("a whole reload drops what the server no longer has, but not what is still being sent", () => {
    const state = { chat, messages: [dto("old", "completed", "x"), { ...dto("local", "pending", "typed"), local: "sending" as const }] };
    const merged = mergeFull(state, { chat, messages: [dto("new", "completed", "y")], presence: [], generation: null });
    expect(merged.messages.map((m) => m.uuid)).toEqual(["new", "local"]);
  });
});
