import { describe, expect, it } from "vitest";
import { partsHtml } from "../../lib/html/parts-html.ts";
import { messageItem } from "../../lib/html/fragments.ts";
import type { MessageDto, Part, ToolPart } from "../../lib/contract.ts";

const HOSTILE = "<img src=x onerror=alert(1)>";
const uuid = "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3f";
const opts = { canApprove: true, messageUuid: uuid };

function tool(fields: Partial<ToolPart> = {}): ToolPart {
  return { type: "tool", callId: "call_1", name: "search", source: "builtin", step: 0, status: "done", input: { q: "x" }, output: "ok", ...fields };
}

/** No element or attribute came from the hostile text: only its escaped form is there (as text, between tags). */
function inert(html: string) {
  expect(html).not.toContain("<img");
  expect(html).not.toMatch(/<script/i);
  for (const [tag] of html.matchAll(/<[a-z][^>]*>/gi)) expect(tag).not.toMatch(/\son\w+\s*=/i);
}

describe("partsHtml", () => {
  it("shows a tool's output, input, name, source and error as escaped text", () => {
    const html = partsHtml(
      [tool({ name: HOSTILE, source: `<b>mcp</b>`, input: { html: HOSTILE }, output: HOSTILE }), tool({ callId: "c2", status: "error", output: undefined, error: HOSTILE })],
      "",
      opts,
    );
    inert(html);
    expect(html).toContain(`<pre tabindex="0">&lt;img src=x onerror=alert(1)&gt;</pre>`);
    expect(html).toContain("&quot;html&quot;: &quot;&lt;img src=x onerror=alert(1)&gt;&quot;");
    expect(html).toContain("&lt;b&gt;mcp&lt;/b&gt;");
    expect(html).toContain(`<p class="part-tool-error">&lt;img src=x onerror=alert(1)&gt;</p>`);
    expect(html).toContain("Done");
    expect(html).toContain("Failed");
  });

  it("shows a JSON output indented, and the source only when it is not builtin", () => {
    const html = partsHtml([tool({ output: { a: [1, 2] } })], "", opts);
    expect(html).toContain("{\n  &quot;a&quot;: [\n    1,\n    2\n  ]\n}");
    expect(html).not.toContain("part-tool-source");
    expect(partsHtml([tool({ source: "files" })], "", opts)).toContain(`<span class="part-tool-source">files</span>`);
  });

  it("asks members who may act to allow or deny a waiting call, with escaped ids in the URL", () => {
    const waiting = tool({ callId: `a"b/c`, status: "awaiting-approval", output: undefined });
    const html = partsHtml([waiting], "", opts);
    const url = `/chat/message/${uuid}/tools/a%22b%2Fc`;
    expect(html).toContain(`hx-post="${url}"`);
    expect(html).toContain(`name="approve" value="1"`);
    expect(html).toContain(`name="approve" value="0"`);
    expect(html).toContain("Waiting for approval");
    expect(partsHtml([waiting], "", { ...opts, canApprove: false })).not.toContain("hx-post");
    expect(partsHtml([{ ...waiting, status: "running" }], "", opts)).not.toContain("hx-post");
  });

  it("says who decided", () => {
    expect(partsHtml([tool({ decidedBy: { id: "u1", name: "<Ana>" } })], "", opts)).toContain("Allowed by &lt;Ana&gt;");
    expect(partsHtml([tool({ status: "denied", output: undefined, decidedBy: { id: "u1", name: "Ana" } })], "", opts)).toContain("Denied by Ana");
  });

  it("shows reasoning as text in a <details>, open while it goes on and no text follows", () => {
    const live: Part = { type: "reasoning", text: `${HOSTILE}\n*not markdown*`, startedAt: "2025-01-31T12:00:00.000Z" };
    const open = partsHtml([live], "", opts);
    inert(open);
    expect(open).toContain(`<details class="part-reasoning live" open><summary>Thinking</summary>`);
    expect(open).toContain("*not markdown*");
    const ended = partsHtml([{ ...live, endedAt: "2025-01-31T12:00:03.400Z" }, { type: "text", start: 0, step: 0 }], "Answer", opts);
    expect(ended).toContain(`<details class="part-reasoning"><summary>Thought for 3 s</summary>`);
  });

  it("renders each text part's slice as Markdown, the model's HTML as text", () => {
    const text = `**One**${HOSTILE}Two`;
    const parts: Part[] = [
      { type: "text", start: 0, step: 0 },
      tool({ step: 0 }),
      { type: "text", start: text.indexOf("Two"), step: 1 },
    ];
    const html = partsHtml(parts, text, opts);
    inert(html);
    expect(html).toContain("<strong>One</strong>");
    expect(html.indexOf("<strong>One</strong>")).toBeLessThan(html.indexOf("part-tool"));
    expect(html.indexOf("part-tool")).toBeLessThan(html.indexOf("<p>Two</p>"));
  });

  it("lists sources at the end, links only for http(s) URLs, each once", () => {
    const html = partsHtml(
      [
        { type: "source", url: "https://example.com/a?b=1&c=2", title: HOSTILE },
        { type: "source", url: "https://docs.example.org/x" },
        { type: "source", url: "javascript:alert(1)", title: "click" },
        { type: "source", url: "https://docs.example.org/x" },
      ],
      "",
      opts,
    );
    inert(html);
    expect(html).toContain(`<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow">&lt;img src=x onerror=alert(1)&gt;</a>`);
    expect(html).toContain(`>docs.example.org</a>`);
    expect(html).not.toContain(`href="javascript`);
    expect(html).toContain("<li>click (javascript:alert(1))</li>");
    expect(html.match(/docs\.example\.org<\/a>/g)).toHaveLength(1);
  });
});

describe("the messages fragment with parts", () => {
  const message: MessageDto = {
    uuid,
    chatUuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3d",
    role: "assistant",
    content: "Done.",
    status: "completed",
    position: 5,
    createdAt: "2025-01-31T12:00:00.000Z",
    parts: [tool({ status: "awaiting-approval", output: undefined }), { type: "text", start: 0, step: 1 }],
  };

  it("renders a finished answer's parts, with the buttons only for a reader who may act", () => {
    expect(messageItem(message, { canApprove: true })).toContain("hx-post=");
    expect(messageItem(message)).not.toContain("hx-post=");
    expect(messageItem(message)).toContain(`<div class="part-text"><p>Done.</p>`);
  });

  it("renders a plain answer as before, and a pending one's parts above its streaming text", () => {
    const plain = messageItem({ ...message, parts: [{ type: "text", start: 0, step: 0 }] });
    expect(plain).toContain(`<div class="answer markdown" id="answer-${uuid}"><div class="msg-content" id="content-${uuid}"><p>Done.</p></div></div>`);
    const pending = messageItem({ ...message, status: "pending", content: "Do" });
    expect(pending).toMatch(new RegExp(`<div class="answer-parts" id="parts-${uuid}"><div class="parts"><div class="part-tool"[\\s\\S]*</div></div><div class="msg-content" id="content-${uuid}">Do<span class="tokens-poller"`));
    expect(messageItem({ ...message, status: "pending", content: "", parts: undefined })).toContain(`<div class="answer-parts" id="parts-${uuid}"></div><div class="msg-content"`);
  });
});
