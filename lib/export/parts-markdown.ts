/**
 * An answer with parts (docs/design.md §3.11) as Markdown, for the export: in the order of its
 * parts, its reasoning quoted under "Thinking", the stretches of its text as the model wrote
 * them, its tool calls as a short list (name, input and output in fenced code), and its
 * sources, at the end, as a list of links (only http(s) URLs become links).
 */
import { textSlices, type Part, type ReasoningPart, type ToolPart } from "../parts";
import { decisionLabel, prettyValue, sourcesOf, sourceView, thoughtLabel, TOOL_STATUS_LABEL, toolTitle } from "../parts-display";

/** Characters that would turn plain text into Markdown syntax. */
function plain(s: string): string {
  return s.replace(/[\\`*_[\]<>#|]/g, "\\$&");
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/** A code span that holds any text, backticks included. */
function codeSpan(s: string): string {
  const longest = Math.max(0, ...Array.from(s.matchAll(/`+/g), (m) => m[0].length));
  const ticks = "`".repeat(longest + 1);
  return longest ? `${ticks} ${s} ${ticks}` : `${ticks}${s}${ticks}`;
}

/** A fenced block longer than any run of backticks inside, so the text cannot close it. */
function fenced(text: string, lang: string): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`{3,}/g), (m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${text}\n${fence}`;
}

function indent(block: string, by = "  "): string {
  return block
    .split("\n")
    .map((l) => (l === "" ? "" : by + l))
    .join("\n");
}

function reasoningMarkdown(p: ReasoningPart): string {
  const lines = [`**Thinking**${thoughtLabel(p)}`, "", ...p.text.trim().split("\n")];
  return lines.map((l) => (l === "" ? ">" : `> ${l}`)).join("\n");
}

function valueMarkdown(label: string, value: unknown): string {
  const text = prettyValue(value);
  return `${label}:\n\n${fenced(text, typeof value === "string" ? "" : "json")}`;
}

function toolMarkdown(p: ToolPart): string {
  const title = toolTitle(p);
  // A name is one line (a model may write anything for a tool that does not exist).
  const head = `- Tool ${codeSpan(title.name.replace(/\s+/g, " "))}${title.source ? ` (${plain(title.source)})` : ""}: ${TOOL_STATUS_LABEL[p.status]}`;
  const more: string[] = [];
  const decision = decisionLabel(p);
  if (decision) more.push(plain(decision));
  if (p.input !== undefined) more.push(valueMarkdown("Input", p.input));
  if (p.status === "done" && p.output !== undefined) more.push(valueMarkdown("Output", p.output));
  if (p.error) more.push(`Error: ${plain(oneLine(p.error))}`);
  return [head, ...more.map((b) => indent(b))].join("\n\n");
}

/** The answer's Markdown; `text` is its visible text (the text parts are slices of it). */
export function partsToMarkdown(parts: readonly Part[], text: string): string {
  const slices = textSlices(parts, text);
  const blocks: string[] = [];
  let tools: string[] = [];
  const endTools = () => {
    if (tools.length) blocks.push(tools.join("\n\n"));
    tools = [];
  };
  parts.forEach((p, i) => {
    if (p.type === "tool") {
      tools.push(toolMarkdown(p));
      return;
    }
    if (p.type === "source") return;
    endTools();
    if (p.type === "reasoning") {
      if (p.text.trim() !== "") blocks.push(reasoningMarkdown(p));
    } else {
      const slice = (slices.get(i) ?? "").trim();
      if (slice !== "") blocks.push(slice);
    }
  });
  endTools();
  const sources = sourcesOf(parts).map((s) => {
    const view = sourceView(s);
    return view.href ? `- [${plain(view.text)}](<${view.href}>)` : `- ${plain(view.text)}`;
  });
  if (sources.length) blocks.push(`**Sources**\n\n${sources.join("\n")}`);
  return blocks.join("\n\n");
}
