/**
 * Unfinished Markdown made displayable: an answer that is still streaming, or was stopped
 * mid-word, ends wherever the model was. Shown as is, an open `_emphasis`, `code span`, link
 * or fence shows its raw syntax until the closer arrives (and a stopped answer keeps it). This
 * closes what is open, drops what has no content yet (a bare `**`, `[`, `- `) and gives a table
 * its delimiter row as soon as its header is there, so nothing flickers from raw to rendered.
 * Only for text known to be unfinished: a final answer is rendered exactly as written.
 *
 * Isomorphic (the chat renders with it in the browser, /lite on the server). It only appends
 * closers and removes unfinished syntax, so the text never gains HTML the renderer would not
 * already have seen.
 */

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The text as it should be displayed while unfinished. */
export function completeMarkdown(text: string): string {
  const lines = text.split("\n");
  // Fences first: inside an open one everything is code, so only the fence needs closing.
  let fence: string | null = null;
  let blockStart = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = FENCE.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) {
        fence = null;
        blockStart = i + 1;
      }
      continue;
    }
    if (marker) fence = marker;
    else if (line.trim() === "") blockStart = i + 1;
  }
  if (fence) return `${text.replace(/\n?$/, "\n")}${fence}`;

  const head = lines.slice(0, blockStart);
  let block = lines.slice(blockStart);
  block = dropBareMarker(block);
  block = completeTableHead(block);
  const done = completeInline(block.join("\n"));
  return head.length === 0 ? done : `${head.join("\n")}\n${done}`;
}

/** A last line that is only a list marker, a heading's hashes or a setext-looking dash. */
function dropBareMarker(block: string[]): string[] {
  const last = block.at(-1);
  if (last !== undefined && /^\s*([-*+]|\d{1,9}[.)]?|#{1,6}|={1,2}|-{1,2})\s*$/.test(last) && block.length > 0) {
    // A lone number on the first line of a paragraph is text, not a list marker to come.
    if (block.length === 1 && /^\s*\d+\s*$/.test(last)) return block;
    return block.slice(0, -1);
  }
  return block;
}

const TABLE_ROW = /^\s*\|.*\S/;
const PARTIAL_DELIMITER = /^\s*\|?[\s:|-]*$/;

function cells(row: string): number {
  return row.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").length;
}

/** A table whose header has arrived but not its full delimiter row renders as a table at once. */
function completeTableHead(block: string[]): string[] {
  const [header, delimiter] = block;
  if (header === undefined || !TABLE_ROW.test(header) || cells(header) < 2) return block;
  if (block.length === 1 || (block.length === 2 && PARTIAL_DELIMITER.test(delimiter!) && cells(delimiter!) <= cells(header))) {
    const full = `|${" --- |".repeat(cells(header))}`;
    return [header, full];
  }
  return block;
}

type Open = { delim: string; at: number };

/** Closes the emphasis, strikethrough, code span and link left open at the end of one block. */
function completeInline(src: string): string {
  const stack: Open[] = [];
  let code: { ticks: number; at: number } | null = null;
  // An open link: `[` at `at`; `url` is where its `(` begins once `](` was seen.
  let link: { at: number; label: number; url: number | null } | null = null;
  let i = 0;
  const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c);
  const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

  while (i < src.length) {
    const c = src[i]!;
    if (c === "\\") {
      i += 2;
      continue;
    }
    let run = 1;
    while (src[i + run] === c) run++;

    if (c === "`") {
      if (!code) code = { ticks: run, at: i };
      else if (code.ticks === run) code = null;
      i += run;
      continue;
    }
    if (code) {
      i += run;
      continue;
    }
    if (link?.url != null) {
      if (c === ")") link = null;
      i += run;
      continue;
    }
    if (c === "[" || (c === "!" && src[i + 1] === "[")) {
      const at = i;
      i += c === "!" ? 2 : 1;
      link = { at, label: i, url: null };
      continue;
    }
    if (c === "]" && link) {
      if (src[i + 1] === "(") {
        link.url = i;
        i += 2;
      } else {
        link = null;
        i += 1;
      }
      continue;
    }
    if (c === "*" || c === "_" || c === "~") {
      const before = src[i - 1];
      const after = src[i + run];
      const lineStart = i === 0 || src[i - 1] === "\n" || /^\s*$/.test(src.slice(src.lastIndexOf("\n", i - 1) + 1, i));
      if (c === "*" && lineStart && run === 1 && after === " ") {
        i += run; // a list item's marker
        continue;
      }
      if (c === "~" && run !== 2) {
        i += run;
        continue;
      }
      if (c === "_" && isWord(before) && isWord(after)) {
        i += run; // snake_case
        continue;
      }
      let left = run;
      let pos = i;
      while (left > 0) {
        const top = stack.at(-1);
        if (top && top.delim[0] === c && !isSpace(before) && left >= top.delim.length) {
          stack.pop();
          left -= top.delim.length;
          pos += top.delim.length;
          continue;
        }
        // At the very end, a run that does not close is an opener whose text has not come yet.
        if (after !== undefined && (isSpace(after) || (c === "_" && isWord(before)))) break;
        const len = c === "~" ? 2 : Math.min(2, left);
        stack.push({ delim: c.repeat(len), at: pos });
        left -= len;
        pos += len;
      }
      i += run;
      continue;
    }
    i += 1;
  }

  let out = src;
  // A link still being written shows its label as text; an image still being written, nothing.
  if (link) {
    const image = out[link.at] === "!";
    const label = out.slice(link.label, link.url ?? out.length);
    out = out.slice(0, link.at) + (image ? "" : label);
    // What was opened inside the label moved left with it (or went, with an image).
    const shift = link.label - link.at;
    const moved = (at: number) => (at < link.label ? at : image ? out.length : at - shift);
    for (const open of stack) open.at = moved(open.at);
    if (code) code.at = moved(code.at);
  }
  if (code) {
    if (code.at >= out.length) {
      // Inside the unfinished link's url or image: already gone.
    } else if (out.slice(code.at + code.ticks).trim() === "") out = out.slice(0, code.at);
    else out = out.replace(/\s+$/, "") + "`".repeat(code.ticks);
  }
  const closers: string[] = [];
  for (let k = stack.length - 1; k >= 0; k--) {
    const open = stack[k]!;
    if (open.at >= out.length) continue;
    if (out.slice(open.at + open.delim.length).trim() === "") {
      out = out.slice(0, open.at);
      continue;
    }
    closers.push(open.delim);
  }
  if (closers.length > 0) out = out.replace(/\s+$/, "") + closers.join("");
  return out;
}
