/** The export file's pieces that need no server: the Markdown, derived uuids, the import schema. */
import { describe, expect, it } from "vitest";
import { chatToMarkdown } from "../../lib/export/markdown.ts";
import { importFile, type ExportedChat } from "../../lib/export/format.ts";
import { derivedUuid } from "../../lib/export/transfer.ts";

const chat: ExportedChat = {
  uuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3d",
  title: "A\ntitle",
  status: "active",
  agent: "coder",
  params: {},
  createdAt: "2025-01-31T12:00:00.000Z",
  updatedAt: "2025-01-31T12:05:00.000Z",
  messages: [
    { uuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3e", role: "user", content: "Why?", status: "completed", createdAt: "2025-01-31T12:01:00.000Z" },
    { uuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3f", role: "assistant", content: "Partly", status: "failed", error: "The model\nrefused.", createdAt: "2025-01-31T12:02:00.000Z" },
    { uuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c40", role: "assistant", content: "", status: "cancelled", createdAt: "2025-01-31T12:03:00.000Z" },
  ],
};

describe("the Markdown export", () => {
  it("has the title on one line, who wrote each message, and what became of it", () => {
    const md = chatToMarkdown(chat, "2025-02-01T08:00:00.000Z");
    expect(md.split("\n")[0]).toBe("# A title");
    expect(md).toContain("*Exported from PollChat on 2025-02-01 08:00 UTC · agent: Code helper*");
    expect(md).toContain("### You · 2025-01-31 12:01 UTC\n\nWhy?");
    expect(md).toContain("> **This answer failed:** The model refused.");
    expect(md).toContain("*(no text)*\n\n> *Stopped before it was finished.*");
    expect(md.endsWith("\n")).toBe(true);
  });
});

describe("derived uuids", () => {
  it("are valid version 8 UUIDs, the same for the same user and uuid, different otherwise", () => {
    const a = derivedUuid("user-1", chat.uuid);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedUuid("user-1", chat.uuid.toUpperCase())).toBe(a);
    expect(derivedUuid("user-2", chat.uuid)).not.toBe(a);
    expect(derivedUuid("user-1", chat.messages[0]!.uuid)).not.toBe(a);
  });
});

describe("the import schema", () => {
  const file = (chats: unknown[]) => ({ format: "pollchat.chats", version: 1, chats });

  it("reads back what the export writes", () => {
    const parsed = importFile.parse(file([chat]));
    expect(parsed.chats[0]!.messages.map((m) => m.status)).toEqual(["completed", "failed", "cancelled"]);
  });

  it("fills defaults for a hand-made file", () => {
    const parsed = importFile.parse(file([{ messages: [{ role: "user", content: "hi" }] }]));
    expect(parsed.chats[0]).toMatchObject({ title: "", status: "active", agent: "assistant", params: {}, messages: [{ status: "completed" }] });
  });

  it("refuses a uuid used twice in the file, wherever it is", () => {
    const twice = { ...chat, messages: [chat.messages[0], { ...chat.messages[1], uuid: chat.uuid }] };
    const result = importFile.safeParse(file([twice]));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ["chats", 0, "messages", 1, "uuid"], message: expect.stringMatching(/more than once/) as unknown });
  });

  it("refuses other formats and versions with a sentence", () => {
    for (const [body, path] of [[{ ...file([]), format: "x" }, "format"], [{ ...file([]), version: 2 }, "version"]] as const) {
      const result = importFile.safeParse(body);
      expect(result.error?.issues[0]?.path).toEqual([path]);
      expect(result.error?.issues[0]?.message.length).toBeGreaterThan(20);
    }
  });
});
