import { describe, expect, it } from "vitest";
import { markdownToHtml } from "@/lib/markdown/html";

describe("markdownToHtml (answers on /lite, rendered on the server)", () => {
  it("renders GitHub-flavoured Markdown: emphasis, lists, tables, code with highlighting", () => {
    const html = markdownToHtml("**bold** and _it_\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```ts\nconst x = 1;\n```");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<em>it</em>");
    expect(html).toMatch(/<ul>\s*<li>one<\/li>/);
    expect(html).toContain(`<table tabindex="0">`);
    expect(html).toContain(`<pre tabindex="0">`);
    expect(html).toMatch(/<code class="hljs language-ts"><span class="hljs-keyword">const<\/span>/);
  });

  it("shows the model's HTML as text and keeps only safe links", () => {
    const html = markdownToHtml(
      'Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [a](javascript:alert(1)) [b](https://example.com "t") <a href="https://evil">c</a>',
    );
    expect(html).not.toMatch(/<(script|img|iframe|svg)[\s/>]/i);
    expect(html).toContain("&#x3C;script>alert(1)&#x3C;/script>");
    expect(html).not.toMatch(/href="javascript/i);
    // The unsafe link is its text alone, not an empty anchor.
    expect(html).toContain(" a <a href=");
    expect(html).toContain('<a href="https://example.com" title="t" target="_blank" rel="noopener noreferrer nofollow">b</a>');
    expect(html).not.toContain('<a href="https://evil"');
    expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+=/i);
  });

  it("closes what an unfinished answer left open, only when told it is unfinished", () => {
    expect(markdownToHtml("_Set `OPENAI_API_KE", { partial: true })).toBe("<p><em>Set <code>OPENAI_API_KE</code></em></p>");
    expect(markdownToHtml("_Set `OPENAI_API_KE")).toBe("<p>_Set `OPENAI_API_KE</p>");
  });

  it("puts headings under the page's own, without skipping levels", () => {
    expect(markdownToHtml("### A\n\n##### B", { top: 3 })).toBe('<h3 class="md-h3">A</h3>\n<h4 class="md-h5">B</h4>');
  });
});
