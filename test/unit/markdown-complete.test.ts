import { describe, expect, it } from "vitest";
import { completeMarkdown } from "@/lib/markdown/complete";

describe("completeMarkdown (unfinished answers shown as a person expects)", () => {
  it("closes open emphasis, strong, strikethrough and code spans, innermost first", () => {
    expect(completeMarkdown("_This is the built-in demo model: no real model is configured. Set `OPENAI_API_KE")).toBe(
      "_This is the built-in demo model: no real model is configured. Set `OPENAI_API_KE`_",
    );
    expect(completeMarkdown("Some **bold and *italic")).toBe("Some **bold and *italic***");
    expect(completeMarkdown("a ~~gone")).toBe("a ~~gone~~");
    expect(completeMarkdown("use ``a ` b")).toBe("use ``a ` b``");
    expect(completeMarkdown("**bold **")).toBe("**bold**");
  });

  it("drops an opener with nothing after it yet", () => {
    expect(completeMarkdown("Hello **")).toBe("Hello ");
    expect(completeMarkdown("Hello `")).toBe("Hello ");
    expect(completeMarkdown("Hello _")).toBe("Hello ");
  });

  it("leaves finished and literal syntax alone", () => {
    for (const done of ["**done** and _done_", "snake_case_name", "2 * 3 = 6", "a \\* b", "`x` and `y`", "~single"]) {
      expect(completeMarkdown(done)).toBe(done);
    }
    expect(completeMarkdown("* item one\n* item **two")).toBe("* item one\n* item **two**");
  });

  it("shows a link still being written as its label, and an image not at all", () => {
    expect(completeMarkdown("see [the docs](https://exa")).toBe("see the docs");
    expect(completeMarkdown("see [the **do")).toBe("see the **do**");
    expect(completeMarkdown("a [done](https://x.y) b")).toBe("a [done](https://x.y) b");
    expect(completeMarkdown("pic ![alt](http://x")).toBe("pic ");
    expect(completeMarkdown("see [link *x*](http://a_b*c")).toBe("see link *x*");
  });

  it("closes an open fence and touches nothing inside it", () => {
    expect(completeMarkdown("Code:\n\n```ts\nconst a = `x_")).toBe("Code:\n\n```ts\nconst a = `x_\n```");
    expect(completeMarkdown("~~~~\n**x")).toBe("~~~~\n**x\n~~~~");
    expect(completeMarkdown("```\na\n```\n\nafter **b")).toBe("```\na\n```\n\nafter **b**");
  });

  it("only looks at the last block (emphasis never crosses a blank line)", () => {
    expect(completeMarkdown("open _a\n\nnext **b")).toBe("open _a\n\nnext **b**");
  });

  it("renders a table as soon as its header is there", () => {
    expect(completeMarkdown("| A | B |")).toBe("| A | B |\n| --- | --- |");
    expect(completeMarkdown("| A | B |\n| --")).toBe("| A | B |\n| --- | --- |");
    expect(completeMarkdown("| A | B |\n|---|---|\n| 1 | **2")).toBe("| A | B |\n|---|---|\n| 1 | **2**");
  });

  it("holds back a list marker or heading with no content yet (no setext heading flash)", () => {
    expect(completeMarkdown("Intro\n-")).toBe("Intro");
    expect(completeMarkdown("- one\n- ")).toBe("- one");
    expect(completeMarkdown("Text\n\n###")).toBe("Text\n\n");
    expect(completeMarkdown("1. one\n2.")).toBe("1. one");
    expect(completeMarkdown("42")).toBe("42");
  });
});

describe("completeMarkdown on any input", () => {
  it("never adds markup characters the renderer could read as HTML, and is stable on its output's closers", async () => {
    const fc = await import("fast-check");
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", " ", "*", "_", "`", "~", "[", "]", "(", ")", "!", "|", "-", "\n", "<", ">", "#", "\\", "1", ".") }), (s) => {
        const out = completeMarkdown(s);
        const count = (t: string, ch: string) => t.split(ch).length - 1;
        expect(count(out, "<")).toBeLessThanOrEqual(count(s, "<"));
        expect(count(out, ">")).toBeLessThanOrEqual(count(s, ">"));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("headingLevels (an answer's outline under the page's h1)", () => {
  it("starts at h2 and never skips a level", async () => {
    const { headingLevels } = await import("@/lib/markdown/headings");
    expect([...headingLevels("### What\n\ntext\n\n### Tips\n\n##### Deep")]).toEqual([
      [3, 2],
      [5, 3],
    ]);
    expect([...headingLevels("# A\n\n## B\n\n### C")]).toEqual([
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
    expect([...headingLevels("```md\n# not a heading\n```\n\nTitle\n===")]).toEqual([[1, 2]]);
    expect([...headingLevels("no headings\n\n---\n\n- a\n---")].length).toBe(0);
  });
});
