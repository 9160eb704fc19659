/**
 * An imported chat's branches (docs/design.md §3.12), worked out from the file before anything
 * is written: each message's parent (an index into the chat's messages; a file without
 * `parentUuid` is one branch, each message following the one before it), one selected version
 * per parent (the last the file selects; none selected: the last one), and what is hidden (off
 * the path from the selected root down the selected children).
 */
export interface ImportedBranch {
  parent: number | null;
  selected: boolean;
  hidden: boolean;
}

export function importedBranches(messages: { uuid?: string; parentUuid?: string | null; selected?: boolean }[]): ImportedBranch[] {
  const index = new Map<string, number>();
  const parents = messages.map((m, i) => {
    // The file's validation made a named parent an earlier message of the chat.
    const parent = m.parentUuid === undefined ? (i > 0 ? i - 1 : null) : m.parentUuid === null ? null : (index.get(m.parentUuid) ?? null);
    if (m.uuid) index.set(m.uuid, i);
    return parent;
  });
  const groups = new Map<number | null, number[]>();
  parents.forEach((p, i) => {
    const group = groups.get(p);
    if (group) group.push(i);
    else groups.set(p, [i]);
  });
  const selected = new Array<boolean>(messages.length).fill(false);
  const chosen = new Map<number | null, number>();
  for (const [parent, group] of groups) {
    const pick = group.filter((i) => messages[i]!.selected !== false).at(-1) ?? group.at(-1)!;
    selected[pick] = true;
    chosen.set(parent, pick);
  }
  // Parents come first: one pass in order decides what is on the active branch.
  const active = new Array<boolean>(messages.length).fill(false);
  parents.forEach((p, i) => {
    active[i] = selected[i]! && (p === null || active[p]!);
  });
  return parents.map((parent, i) => ({ parent, selected: selected[i]!, hidden: !active[i] }));
}
