import { describe, expect, it } from "vitest";
import { chatToMarkdown } from "../../lib/export/markdown.ts";
import { partsToMarkdown } from "../../lib/export/parts-markdown.ts";
import type { ExportedChat } from "../../lib/export/format.ts";
import type { Part } from "../../lib/parts.ts";

const text = "Let me look.\n\nIt is **42**.";
const parts: Part[] = [
  { type: "reasoning", text: "The user asks.\n\nSearch first.", startedAt: "2025-01-31T12:00:00.000Z", endedAt: "2025-01-31T12:00:04.000Z" },
  { type: "text", start: 0, step: 0 },
  { type: "tool", callId: "c1", name: "files_read", source: "files", step: 0, status: "done", input: { path: "a.txt" }, output: "```\n<b>42</b>", decidedBy: { id: "u", name: "Ana" } },
  { type: "tool", callId: "c2", name: "search", source: "builtin", step: 0, status: "error", input: { q: "x" }, error: "Timed\nout." },
  { type: "source", url: "https://example.com/a b", title: "A [page]" },
  { type: "source", url: "file:///etc/passwd" },
  { type: "text", start: [...text].indexOf("I"), step: 1 },
];

describe("an answer's parts in the Markdown export", () => {
  it("quotes the thinking, lists the tool calls with fenced input and output, then the text and the sources, in order", () => {
    expect(partsToMarkdown(parts, text)).toBe(
      [
        "> **Thinking** (4 s)\n>\n> The user asks.\n>\n> Search first.",
        "Let me look.",
        "- Tool `files_read` (files): Done\n\n  Allowed by Ana\n\n  Input:\n\n  ```json\n  {\n    \"path\": \"a.txt\"\n  }\n  ```\n\n  Output:\n\n  ````\n  ```\n  <b>42</b>\n  ````" +
          "\n\n- Tool `search`: Failed\n\n  Input:\n\n  ```json\n  {\n    \"q\": \"x\"\n  }\n  ```\n\n  Error: Timed out.",
        "It is **42**.",
        "**Sources**\n\n- [A \\[page\\]](<https://example.com/a%20b>)\n- file:///etc/passwd",
      ].join("\n\n"),
    );
  });

  it("is used in the chat's export for an answer with parts; a text-only answer exports as before, byte for byte", () => {
    const chat: ExportedChat = {
      uuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3d",
      title: "T",
      status: "active",
      agent: "assistant",
      params: {},
      createdAt: "2025-01-31T12:00:00.000Z",
      updatedAt: "2025-01-31T12:05:00.000Z",
      messages: [{ uuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3e", role: "assistant", content: text, status: "completed", createdAt: "2025-01-31T12:01:00.000Z" }],
    };
    const at = "2025-02-01T08:00:00.000Z";
    const plain = chatToMarkdown(chat, at);
    const onlyText = { ...chat, messages: chat.messages.map((m) => ({ ...m, parts: [{ type: "text", start: 0, step: 0 } as const] })) };
    expect(chatToMarkdown(onlyText, at)).toBe(plain);
    const rich = chatToMarkdown({ ...chat, messages: chat.messages.map((m) => ({ ...m, parts })) }, at);
    expect(rich).toContain(`### Assistant · 2025-01-31 12:01 UTC\n\n> **Thinking** (4 s)`);
    expect(rich.endsWith("- file:///etc/passwd\n")).toBe(true);
  });
});
