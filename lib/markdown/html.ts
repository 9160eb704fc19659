/**
 * An answer's Markdown as HTML on the server, for /lite: the rules of the chat's renderer
 * (components/chat/markdown.tsx): GitHub flavour, raw HTML from the model shown as text (never
 * as markup), links opening in a new tab without referrer, highlighted code, headings under
 * the page's own (`top`) and never skipping a level. The result goes through a GitHub-style
 * sanitizer before highlighting adds its classes, so whatever the model writes, only plain
 * formatting elements and http(s)/mailto links come out.
 */
import "server-only";
import { unified } from "unified";
import remarkParse from "remark-parse";
import remarkGfm from "remark-gfm";
import remarkRehype from "remark-rehype";
import rehypeSanitize, { defaultSchema, type Options as SanitizeSchema } from "rehype-sanitize";
import rehypeHighlight from "rehype-highlight";
import rehypeStringify from "rehype-stringify";
import { visit } from "unist-util-visit";
import type { Element, Root } from "hast";
import { completeMarkdown } from "./complete";
import { headingLevels } from "./headings";

/** Raw HTML in the Markdown becomes its own text, as in the chat (react-markdown does the same). */
function rawAsText() {
  return (tree: Root) => {
    visit(tree, "raw", (node, index, parent) => {
      if (parent && index !== undefined) parent.children[index] = { type: "text", value: node.value };
    });
  };
}

function headingsUnder(levels: Map<number, number>) {
  return () => (tree: Root) => {
    visit(tree, "element", (node: Element) => {
      const depth = /^h([1-6])$/.exec(node.tagName)?.[1];
      if (!depth) return;
      node.tagName = `h${levels.get(Number(depth)) ?? 6}`;
      node.properties = { ...node.properties, className: [`md-h${depth}`] };
    });
  };
}

/**
 * Links open in a new tab without referrer, and one whose URL the sanitizer dropped
 * (`javascript:`, `data:`) is its text alone; code and tables, which scroll sideways, take focus.
 */
function finishElements() {
  return (tree: Root) => {
    visit(tree, "element", (node: Element, index, parent) => {
      if (node.tagName === "a" && !node.properties.href && parent && index !== undefined) {
        parent.children.splice(index, 1, ...node.children);
        return index;
      }
      if (node.tagName === "a") {
        node.properties.target = "_blank";
        node.properties.rel = ["noopener", "noreferrer", "nofollow"];
      }
      if (node.tagName === "pre" || node.tagName === "table") node.properties.tabIndex = 0;
    });
  };
}

// GitHub's schema, plus the written-level class on headings; no ids (footnote ids would clash
// between answers on one page, and the clobber prefix keeps them apart).
const headingClass: NonNullable<SanitizeSchema["attributes"]>[string] = [["className", /^md-h[1-6]$/]];
const schema: SanitizeSchema = {
  ...defaultSchema,
  attributes: {
    ...defaultSchema.attributes,
    ...Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [`h${n}`, headingClass])),
  },
};

/**
 * `partial`: the text is not final (streaming, stopped or failed mid-way); its open syntax is
 * closed for display first. `top`: the level of the answer's first heading.
 */
export function markdownToHtml(text: string, opts: { partial?: boolean; top?: number } = {}): string {
  const source = opts.partial ? completeMarkdown(text) : text;
  const file = unified()
    .use(remarkParse)
    .use(remarkGfm)
    .use(remarkRehype, { allowDangerousHtml: true })
    .use(rawAsText)
    .use(headingsUnder(headingLevels(text, opts.top ?? 2)))
    .use(rehypeSanitize, schema)
    .use(rehypeHighlight, { detect: false })
    .use(finishElements)
    .use(rehypeStringify)
    .processSync(source);
  return String(file);
}
