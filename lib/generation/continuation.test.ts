import { describe, expect, it } from "vitest";
import { continuationMessages, continuationMode, createJoiner, MIN_OVERLAP, repeatedEnd } from "./continuation";

/** Feeds `deltas` through a joiner and returns the whole text as stored. */
function join(carried: string, mode: "prefill" | "instruction", deltas: string[]): string {
  const j = createJoiner(carried, mode);
  let out = carried;
  for (const d of deltas) out += j.push(d);
  return out + j.end();
}

describe("continuing an interrupted answer", () => {
  it("prefills where the provider continues an assistant message, else asks in words", () => {
    expect(continuationMode("anthropic", { compatibleContinues: false })).toBe("prefill");
    expect(continuationMode("demo", { compatibleContinues: false })).toBe("prefill");
    expect(continuationMode("compatible", { compatibleContinues: true })).toBe("prefill");
    expect(continuationMode("compatible", { compatibleContinues: false })).toBe("instruction");
    expect(continuationMode("openai", { compatibleContinues: true })).toBe("instruction");
    expect(continuationMode("gateway", { compatibleContinues: true })).toBe("instruction");
  });

  it("sends a prefill without its trailing whitespace (Anthropic refuses it), an instruction after the text", () => {
    expect(continuationMessages("Hello there \n", "prefill")).toEqual([{ role: "assistant", content: "Hello there" }]);
    const [assistant, user] = continuationMessages("Hello there ", "instruction");
    expect(assistant).toEqual({ role: "assistant", content: "Hello there " });
    expect(user?.role).toBe("user");
  });

  it("puts the written whitespace and the model's back together once", () => {
    expect(join("one two ", "prefill", [" three", " four"])).toBe("one two three four");
    expect(join("one two", "prefill", [" three"])).toBe("one two three");
    expect(join("para\n\n", "prefill", ["\n", "\nnext"])).toBe("para\n\nnext");
    expect(join("line ", "prefill", ["\n\nnew paragraph"])).toBe("line \n\nnew paragraph");
    expect(join("mid-wo", "prefill", ["rd and on"])).toBe("mid-word and on");
  });

  it("trims what the model repeats of the end, however its deltas are cut", () => {
    const carried = "The first part of the answer ends on the mat. It";
    const next = "on the mat. It was a good day.";
    for (const size of [1, 3, 7, 100]) {
      const deltas = next.match(new RegExp(`[\\s\\S]{1,${size}}`, "g"))!;
      expect(join(carried, "instruction", deltas), `deltas of ${size}`).toBe("The first part of the answer ends on the mat. It was a good day.");
    }
  });

  it("trims one repetition of the end in a text that repeats itself, not its periods", () => {
    const line = "Recovered text survives a crash. ";
    const whole = line.repeat(12);
    const carried = whole.slice(0, 5 * line.length + 10);
    // Like the model told to continue: the last words again, then the rest.
    const next = carried.slice(-22).replace(/^\S*\s/, "") + whole.slice(carried.length);
    expect(join(carried, "instruction", next.match(/[\s\S]{1,6}/g)!)).toBe(whole);
  });

  it("lets go of held text after a sentence or two, even while it could still be a repetition", () => {
    const j = createJoiner("ab ".repeat(400), "instruction");
    let out = "";
    for (let i = 0; i < 200; i++) out += j.push("ab ");
    expect(out.length).toBeGreaterThan(0);
  });

  it("keeps a short coincidence and a continuation that repeats nothing", () => {
    expect(join("We rest at the", "instruction", [" the end."])).toBe("We rest at the the end.");
    expect(join("Numbers: 1, 2, 3,", "instruction", [" 4, 5."])).toBe("Numbers: 1, 2, 3, 4, 5.");
    expect(repeatedEnd("abcdefghij", "ghij and more")).toBe(0);
    expect(repeatedEnd("xx abcdefghij", "abcdefghij and more")).toBe(10);
    expect(MIN_OVERLAP).toBeGreaterThan(4);
  });

  it("gives back what it held when the model ends inside a possible repetition", () => {
    expect(join("It ends with a dot", "instruction", ["."])).toBe("It ends with a dot.");
    expect(join("Say it again: one two", "instruction", [" one"])).toBe("Say it again: one two one");
  });
});
