/**
 * Heading levels for an answer inside a page: the page has its <h1> (the chat's title), so an
 * answer's headings start at <h2> and go down one level at a time, whatever the model wrote
 * (`###` first, `#` then `####`...). The outline stays valid (axe's heading-order) while the
 * headings keep the size the model chose (the renderers add a class for the written level).
 * Isomorphic: the chat renders in the browser, /lite on the server.
 */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Written depth (1-6) -> rendered level (`top`-6), for the depths this text uses. */
export function headingLevels(text: string, top = 2): Map<number, number> {
  const used = new Set<number>();
  let fence: string | null = null;
  let previous = "";
  for (const line of text.split("\n")) {
    const marker = FENCE.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
    } else if (marker) fence = marker;
    else {
      const atx = /^ {0,3}(#{1,6})(\s|$)/.exec(line);
      if (atx) used.add(atx[1]!.length);
      else if (previous.trim() !== "" && /^ {0,3}=+\s*$/.test(line)) used.add(1);
      else if (previous.trim() !== "" && !/^ {0,3}([-*+]|\d+[.)])\s/.test(previous) && /^ {0,3}-+\s*$/.test(line)) used.add(2);
    }
    previous = line;
  }
  const levels = new Map<number, number>();
  [...used].sort((a, b) => a - b).forEach((depth, i) => levels.set(depth, Math.min(6, top + i)));
  return levels;
}
