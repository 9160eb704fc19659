/**
 * Splits Markdown into top-level blocks (paragraphs, lists, tables, fenced code...) so a
 * streaming answer re-renders only its last block each frame. A blank line ends a block
 * unless it sits inside a code fence, the next line is indented (a list item's
 * continuation), or both sides are items of one list.
 */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const LIST_ITEM = /^ {0,3}([-*+]|\d{1,9}[.)])\s/;

export function splitBlocks(md: string): string[] {
  const lines = md.split("\n");
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  let inList = false;

  const flush = () => {
    if (current.some((l) => l.trim() !== "")) blocks.push(current.join("\n"));
    current = [];
    inList = false;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = FENCE.exec(line)?.[1];
    if (fence) {
      current.push(line);
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
      continue;
    }
    if (marker) {
      fence = marker;
      current.push(line);
      continue;
    }
    if (line.trim() === "") {
      let j = i + 1;
      while (j < lines.length && lines[j]!.trim() === "") j++;
      const next = lines[j];
      const continues = next !== undefined && (/^\s/.test(next) || (inList && LIST_ITEM.test(next)));
      if (continues) current.push(line);
      else flush();
      continue;
    }
    if (current.length === 0 && LIST_ITEM.test(line)) inList = true;
    current.push(line);
  }
  flush();
  return blocks;
}
