/**
 * How an interrupted answer goes on when the provider cannot take a prefill (docs/design.md
 * §5.3): the model is asked in words to continue and what it repeats of the end is trimmed; a
 * model that refuses the continuation starts the answer over, the last resort. The claim that
 * carries the text is tested on both databases by recovery.test.ts; this file is about the
 * runner and the provider, and runs on PostgreSQL only (scripts/test-plan.ts).
 */
import { afterAll, describe, expect, it } from "vitest";
import { parseDirective, scriptedText } from "../support/fake-openai.ts";
import { cleanUpCrashServers, killMidAnswer } from "./crash-helpers.ts";

afterAll(cleanUpCrashServers);

describe("continuing an interrupted answer", () => {
  it("continues by asking the model to go on where the server cannot prefill, trimming what it repeats", async () => {
    // Numbered sentences: a text that does not repeat itself, so what the model repeats of its end is unambiguous.
    const text = Array.from({ length: 60 }, (_, i) => `Sentence ${i + 1} of the answer goes on.`).join(" ");
    const content = `[[fake text="${text}" chunk=6 delay=20]]`;
    const { resumed, runner } = await killMidAnswer(content, { OPENAI_COMPATIBLE_CONTINUE: "false" });
    expect(resumed).toMatchObject({ status: "completed", text, replacements: 0 });
    expect(runner.find((l) => l.msg === "continuing the answer from its text so far")).toMatchObject({ mode: "instruction" });
  });

  it("starts over, as the last resort, when the model refuses to continue; the client replaces its text once", async () => {
    const content = '[[fake text="Refuses to continue. " repeat=60 chunk=6 delay=20 no_continue=1]]';
    const { resumed, runner } = await killMidAnswer(content);
    expect(resumed).toMatchObject({ status: "completed", text: scriptedText(parseDirective(content)), replacements: 1 });
    expect(runner.some((l) => l.msg === "the model refused to continue the answer; starting it over")).toBe(true);
  });

});
