/** Where a V8 .cpuprofile (node --cpu-prof) spent its time: self time by package and by function. */
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/** node_modules/<pkg> (scoped too), the app's own chunks, node: internals, or the VM. */
function owner(url: string): string {
  if (!url) return "(vm)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith("node:")) return "node:internals";
  if (url.includes("/.next/")) return "app (.next chunks)";
  return url.split("/").slice(-2).join("/");
}

export function summarizeProfile(file: string, top = 15): string {
  const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byOwner = new Map<string, number>();
  const byFn = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const o = n.callFrame.functionName === "(idle)" || n.callFrame.functionName === "(program)" ? n.callFrame.functionName : owner(n.callFrame.url);
    byOwner.set(o, (byOwner.get(o) ?? 0) + t);
    const fn = `${n.callFrame.functionName || "(anonymous)"} ${owner(n.callFrame.url)}:${n.callFrame.lineNumber}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + t);
  }
  // Inclusive time: every distinct function on the sampled stack gets the sample once.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (!f.functionName || f.functionName.startsWith("(")) continue;
      seen.add(`${f.functionName} ${owner(f.url)}:${f.lineNumber}`);
    }
    for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const fmt = (m: Map<string, number>, n = top) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, t]) => `  ${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join("\n");
  return `self time by package:\n${fmt(byOwner)}\nself time by function:\n${fmt(byFn)}\ninclusive time:\n${fmt(inclusive, 40)}`;
}
