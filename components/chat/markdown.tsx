"use client";

/**
 * Markdown for answers, rendered as they stream: GitHub flavour (tables, task lists,
 * strikethrough), highlighted code with a copy button. Raw HTML is never rendered. The text is
 * split into blocks and each block is memoized, so a streaming answer re-parses only its
 * last block each frame. An unfinished answer (streaming, stopped or failed mid-way) is shown
 * with its open emphasis, code span, link or fence closed (lib/markdown/complete). Headings
 * start at <h2> under the page's <h1> and never skip a level; they keep their written size.
 */
import { Children, isValidElement, memo, useMemo, useRef, type ReactElement, type ReactNode } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import rehypeHighlight from "rehype-highlight";
import { splitBlocks } from "@/client/markdown-blocks";
import { completeMarkdown } from "@/lib/markdown/complete";
import { headingLevels } from "@/lib/markdown/headings";
import { CopyButton } from "./copy-button";

function languageOf(children: ReactNode): string {
  const code = Children.toArray(children)[0];
  if (!isValidElement(code)) return "";
  const className = (code as ReactElement<{ className?: string }>).props.className ?? "";
  return /language-([\w+#.-]+)/.exec(className)?.[1] ?? "";
}

function CodeBlock({ children }: { children?: ReactNode }) {
  const ref = useRef<HTMLPreElement>(null);
  const lang = languageOf(children);
  return (
    <div className="code-block">
      <div className="code-head">
        <span className="code-lang">{lang || "text"}</span>
        <CopyButton className="code-copy" label="Copy code" showLabel getText={() => ref.current?.innerText ?? ""} />
      </div>
      {/* Focusable: a keyboard can scroll a long line into view (axe: scrollable-region-focusable). */}
      <pre ref={ref} tabIndex={0}>
        {children}
      </pre>
    </div>
  );
}

const baseComponents: Components = {
  pre: ({ children }) => <CodeBlock>{children}</CodeBlock>,
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  ),
  table: ({ children }) => (
    <div className="table-wrap" tabIndex={0}>
      <table>{children}</table>
    </div>
  ),
};

const remarkPlugins = [remarkGfm];
const rehypePlugins: NonNullable<Parameters<typeof ReactMarkdown>[0]["rehypePlugins"]> = [[rehypeHighlight, { detect: false }]];

type HeadingTag = "h2" | "h3" | "h4" | "h5" | "h6";

function withHeadings(levels: string): Components {
  const map = new Map(levels ? levels.split(",").map((pair) => pair.split(":").map(Number) as [number, number]) : []);
  const heading = (depth: number) =>
    function Heading({ children }: { children?: ReactNode }) {
      const Tag = `h${map.get(depth) ?? Math.min(6, depth + 1)}` as HeadingTag;
      return <Tag className={`md-h${depth}`}>{children}</Tag>;
    };
  return { ...baseComponents, h1: heading(1), h2: heading(2), h3: heading(3), h4: heading(4), h5: heading(5), h6: heading(6) };
}

const Block = memo(function Block({ source, components }: { source: string; components: Components }) {
  return (
    <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
      {source}
    </ReactMarkdown>
  );
});

/** `partial`: the text is not final (still streaming, or stopped or failed mid-way). */
export function Markdown({ text, partial = false }: { text: string; partial?: boolean }) {
  const blocks = useMemo(() => splitBlocks(partial ? completeMarkdown(text) : text), [text, partial]);
  // A string key, so the components (and every memoized block) change only when the outline does.
  const levels = [...headingLevels(text)].map(([d, l]) => `${d}:${l}`).join(",");
  const components = useMemo(() => withHeadings(levels), [levels]);
  return (
    <div className="markdown">
      {blocks.map((b, i) => (
        <Block key={i} source={b} components={components} />
      ))}
    </div>
  );
}
