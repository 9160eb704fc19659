/**
 * An imported chat's branches (lib/export/branches.ts, docs/design.md §3.12): parents from
 * `parentUuid` (a file without it is one branch), one selected version per parent, and what is
 * off the active branch hidden, worked out before anything is written.
 */
import { describe, expect, it } from "vitest";
import { importedBranches } from "../../lib/export/branches.ts";

describe("importedBranches", () => {
  it("reads a file without parents as one branch, each message following the one before", () => {
    expect(importedBranches([{}, { uuid: "b" }, {}])).toEqual([
      { parent: null, selected: true, hidden: false },
      { parent: 0, selected: true, hidden: false },
      { parent: 1, selected: true, hidden: false },
    ]);
  });

  it("keeps the tree and the selected versions, and hides what is below an unselected one", () => {
    const tree = importedBranches([
      { uuid: "q1", parentUuid: null, selected: false },
      { uuid: "a1", parentUuid: "q1", selected: true },
      { uuid: "q1b", parentUuid: null, selected: true },
      { uuid: "a1b", parentUuid: "q1b", selected: true },
    ]);
    expect(tree).toEqual([
      { parent: null, selected: false, hidden: true },
      { parent: 0, selected: true, hidden: true },
      { parent: null, selected: true, hidden: false },
      { parent: 2, selected: true, hidden: false },
    ]);
  });

  it("selects one version per parent: the last the file selects, else the last one", () => {
    const tree = importedBranches([
      { uuid: "q", parentUuid: null },
      { uuid: "a1", parentUuid: "q", selected: true },
      { uuid: "a2", parentUuid: "q", selected: true },
      { uuid: "a3", parentUuid: "q", selected: false },
      { uuid: "n1", parentUuid: "a2", selected: false },
      { uuid: "n2", parentUuid: "a2", selected: false },
    ]);
    expect(tree.map((b) => b.selected)).toEqual([true, false, true, false, false, true]);
    expect(tree.map((b) => b.hidden)).toEqual([false, true, false, true, true, false]);
  });
});
