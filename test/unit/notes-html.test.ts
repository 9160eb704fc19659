/**
 * /lite shows an answer's notes (docs/design.md §3.13): in the message as listed, and out of
 * band from a tokens answer, since they are written as the generation starts, after the pending
 * answer may have been shown. Their text is escaped like any other.
 */
import { describe, expect, it } from "vitest";
import { messageItem, tokensFragment } from "../../lib/html/fragments.ts";
import type { MessageDto } from "../../lib/contract.ts";

const uuid = "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3d";
const answer: MessageDto = {
  uuid,
  chatUuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3e",
  role: "assistant",
  content: "Done.",
  status: "completed",
  position: 5,
  createdAt: "2026-01-01T00:00:00.000Z",
};

describe("an answer's notes in /lite", () => {
  it("lists them above the answer, escaped; an answer without notes has the empty, hidden list", () => {
    const html = messageItem({ ...answer, notes: ["<b>x.png</b> was not given to the model: this model cannot see images."] });
    expect(html).toContain(`<ul class="msg-notes" id="notes-${uuid}" aria-label="Notes"><li>&lt;b&gt;x.png&lt;/b&gt; was not given to the model: this model cannot see images.</li></ul>`);
    expect(messageItem(answer)).toContain(`<ul class="msg-notes" id="notes-${uuid}" aria-label="Notes" hidden></ul>`);
  });

  it("fills them out of band from a tokens answer that carries them", async () => {
    const res = tokensFragment(uuid, { tokens: "more", status: "pending", append: true, position: 9, notes: ["big.log was cut."] });
    expect(await res.text()).toContain(`<ul class="msg-notes" id="notes-${uuid}" aria-label="Notes" hx-swap-oob="true"><li>big.log was cut.</li></ul>`);
    const without = tokensFragment(uuid, { tokens: "more", status: "pending", append: true, position: 9 });
    expect(await without.text()).not.toContain("msg-notes");
  });
});
