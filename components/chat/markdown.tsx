"use client";

/**
 * Markdown for answers, rendered as they stream: GitHub flavour (tables, task lists,
 * strikethrough), highlighted code with a copy button. Raw HTML is never rendered. The text is
 * split into blocks and each block is memoized, so a streaming answer re-parses only its
 * last block each frame; an unclosed code fence is simply a code block until it closes.
 */
import { Children, isValidElement, memo, useMemo, useRef, type ReactElement, type ReactNode } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import rehypeHighlight from "rehype-highlight";
import { splitBlocks } from "@/client/markdown-blocks";
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
      <pre ref={ref}>{children}</pre>
    </div>
  );
}

const components: Components = {
  pre: ({ children }) => <CodeBlock>{children}</CodeBlock>,
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  ),
  table: ({ children }) => (
    <div className="table-wrap">
      <table>{children}</table>
    </div>
  ),
};

const remarkPlugins = [remarkGfm];
const rehypePlugins: NonNullable<Parameters<typeof ReactMarkdown>[0]["rehypePlugins"]> = [[rehypeHighlight, { detect: false }]];

const Block = memo(function Block({ source }: { source: string }) {
  return (
    <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
      {source}
    </ReactMarkdown>
  );
});

export function Markdown({ text }: { text: string }) {
  const blocks = useMemo(() => splitBlocks(text), [text]);
  return (
    <div className="markdown">
      {blocks.map((b, i) => (
        <Block key={i} source={b} />
      ))}
    </div>
  );
}
