import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { AnswerView } from "../../components/chat/message-item.tsx";
import type { Part } from "../../lib/parts.ts";

const HOSTILE = "<img src=x onerror=alert(1)>";

function render(props: { parts?: Part[]; text: string; status?: "pending" | "completed"; canApprove?: boolean }): string {
  const view = createElement(AnswerView, {
    messageUuid: "m1",
    status: props.status ?? "completed",
    fullText: props.text,
    text: props.text,
    error: "failed",
    ...(props.parts ? { parts: props.parts } : {}),
    canApprove: props.canApprove ?? false,
  });
  return renderToStaticMarkup(createElement(QueryClientProvider, { client: new QueryClient() }, view));
}

const reasoning: Part = { type: "reasoning", text: `Hmm ${HOSTILE}`, startedAt: "2025-01-31T12:00:00.000Z" };
const waiting: Part = { type: "tool", callId: "c1", name: "files_read", source: "files", step: 0, status: "awaiting-approval", input: { path: HOSTILE } };

describe("an answer with parts in the chat (server-rendered markup)", () => {
  it("renders a plain answer as before: no parts block", () => {
    const html = render({ text: "Hello", parts: [{ type: "text", start: 0, step: 0 }] });
    expect(html).toBe(render({ text: "Hello" }));
    expect(html).not.toContain("msg-parts");
  });

  it("streams the thinking open (a button with aria-expanded), and folds it once text follows", () => {
    const live = render({ text: "", status: "pending", parts: [reasoning] });
    expect(live).toMatch(/<button type="button" class="part-reasoning-toggle" aria-expanded="true"[^>]*>.*Thinking.*live-dot/);
    expect(live).toContain("Hmm &lt;img src=x onerror=alert(1)&gt;");
    expect(live).not.toContain("<img");
    const folded = render({
      text: "Answer",
      status: "pending",
      parts: [{ ...reasoning, endedAt: "2025-01-31T12:00:02.000Z" }, { type: "text", start: 0, step: 0 }],
    });
    expect(folded).toContain(`aria-expanded="false"`);
    expect(folded).toContain("Thought for 2 s");
    expect(folded).toMatch(/class="part-reasoning-text" hidden="">/);
    expect(folded).toContain("<p>Answer</p>");
  });

  it("shows a waiting tool call with Allow and Deny only to a reader who may act", () => {
    const member = render({ text: "", status: "pending", parts: [waiting], canApprove: true });
    expect(member).toContain("Waiting for approval");
    expect(member).toContain(">Allow</button>");
    expect(member).toContain(">Deny</button>");
    expect(member).toContain("&quot;path&quot;: &quot;&lt;img src=x onerror=alert(1)&gt;&quot;");
    expect(member).not.toContain("<img");
    const viewer = render({ text: "", status: "pending", parts: [waiting] });
    expect(viewer).toContain("Waiting for approval");
    expect(viewer).not.toContain(">Allow</button>");
  });

  it("links only http(s) sources, with a safe rel and a new tab", () => {
    const html = render({
      text: "See.",
      parts: [
        { type: "text", start: 0, step: 0 },
        { type: "source", url: "https://example.com/x" },
        { type: "source", url: "javascript:alert(1)", title: "bad" },
      ],
    });
    expect(html).toContain(`<a href="https://example.com/x" target="_blank" rel="noopener noreferrer nofollow">example.com</a>`);
    expect(html).not.toContain(`href="javascript`);
    expect(html).toContain("<span>bad (javascript:alert(1))</span>");
  });
});
