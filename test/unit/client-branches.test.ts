import { describe, expect, it } from "vitest";
import { mergeAfter, mergeFull } from "../../client/messages.ts";
import { formatBytes } from "../../client/uploads.ts";
import type { ChatDto, ChatState, ClientMessage } from "../../client/keys.ts";

const chat: ChatDto = {
  uuid: "c",
  title: "t",
  status: "active",
  agent: "assistant",
  model: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  role: "owner",
  shared: false,
};

function msg(uuid: string, role: "user" | "assistant", extra: Partial<ClientMessage> = {}): ClientMessage {
  return { uuid, chatUuid: "c", role, content: uuid, status: "completed", position: uuid.length, createdAt: "2026-01-01T00:00:00.000Z", ...extra };
}

describe("following a branch switch (docs/design.md §3.12)", () => {
  const before: ChatState = { chat, messages: [msg("q2", "user", { versions: ["q1", "q2"] }), msg("a2", "assistant"), msg("sending", "user", { local: "sending" })] };

  it("a whole list replaces the shown one: the other branch, not both; a message being sent stays last", () => {
    const after = mergeFull(before, { chat, messages: [msg("q1", "user", { versions: ["q1", "q2"] }), msg("a1", "assistant")] });
    expect(after.messages.map((m) => m.uuid)).toEqual(["q1", "a1", "sending"]);
  });

  it("a poll after the last message adds to the list (what a switch must not go through)", () => {
    const after = mergeAfter(before, { chat, messages: [msg("a3", "assistant")] });
    expect(after.messages.map((m) => m.uuid)).toEqual(["q2", "a2", "a3", "sending"]);
  });
});

describe("file sizes on chips", () => {
  it("read as people read them", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1_500)).toBe("1.5 kB");
    expect(formatBytes(20 * 1024 * 1024)).toBe("21 MB");
    expect(formatBytes(3_200_000_000)).toBe("3.2 GB");
  });
});
