import { asSchema } from "ai";
import { describe, expect, it } from "vitest";
import { builtinTools } from "./builtin";
import { ToolError } from "./types";

const signal = new AbortController().signal;
// Monday 7 December 2026, 13:03:00 UTC.
const at = new Date("2026-12-07T13:03:00.000Z");
const [currentTime, calculator] = builtinTools(["current_time", "calculator"], () => at);

describe("current_time", () => {
  it("answers in the zone asked for", async () => {
    const { output } = await currentTime!.run({ timeZone: "Europe/Paris" }, { signal, timeZone: "Asia/Tokyo" });
    expect(output).toEqual({ iso: "2026-12-07T13:03:00.000Z", local: "Monday, 7 December 2026, 14:03", utcOffset: "+01:00", timeZone: "Europe/Paris" });
  });

  it("in the user's zone when none is asked for, else in UTC", async () => {
    expect((await currentTime!.run({}, { signal, timeZone: "America/New_York" })).output).toMatchObject({ local: "Monday, 7 December 2026, 08:03", utcOffset: "-05:00", timeZone: "America/New_York" });
    expect((await currentTime!.run({}, { signal, timeZone: "Asia/Kolkata" })).output).toMatchObject({ local: "Monday, 7 December 2026, 18:33", utcOffset: "+05:30" });
    expect((await currentTime!.run({}, { signal })).output).toMatchObject({ local: "Monday, 7 December 2026, 13:03", utcOffset: "+00:00", timeZone: "UTC" });
    expect((await currentTime!.run(undefined, { signal })).output).toMatchObject({ timeZone: "UTC" });
    // A user's zone the server does not know is not the model's mistake: UTC, no error.
    expect((await currentTime!.run({}, { signal, timeZone: "Mars/Olympus_Mons" })).output).toMatchObject({ timeZone: "UTC" });
  });

  it("an unknown zone asked for is a tool error that says what to write", async () => {
    await expect(currentTime!.run({ timeZone: "Mars/Olympus_Mons" }, { signal })).rejects.toThrow(ToolError);
    await expect(currentTime!.run({ timeZone: "Mars/Olympus_Mons" }, { signal })).rejects.toThrow('"Mars/Olympus_Mons" is not a time zone: use an IANA name such as "Europe/Paris"');
    await expect(currentTime!.run({ timeZone: 3 }, { signal })).rejects.toThrow(/The input of current_time is not valid: timeZone: /);
  });
});

describe("calculator", () => {
  it("evaluates", async () => {
    expect(await calculator!.run({ expression: "2 ^ 10 - 24" }, { signal })).toEqual({ output: { expression: "2 ^ 10 - 24", result: 1000 } });
  });

  it("turns a bad expression or input into a tool error with a sentence", async () => {
    await expect(calculator!.run({ expression: "1 / 0" }, { signal })).rejects.toThrow(new ToolError("Division by zero is not defined."));
    await expect(calculator!.run({ expression: "1".repeat(501) }, { signal })).rejects.toThrow(/The input of calculator is not valid: expression: /);
    await expect(calculator!.run({}, { signal })).rejects.toThrow(/The input of calculator is not valid: expression: /);
  });
});

describe("the built-ins as offered", () => {
  it("are the ones named, in that order, none needing approval, each with a JSON schema a provider takes", async () => {
    expect(builtinTools([]).length).toBe(0);
    const tools = builtinTools(["calculator", "current_time"]);
    expect(tools.map((t) => [t.name, t.source, t.needsApproval])).toEqual([
      ["calculator", "builtin", false],
      ["current_time", "builtin", false],
    ]);
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(await asSchema(tool.inputSchema).jsonSchema).toMatchObject({ type: "object", properties: expect.any(Object) as unknown });
    }
  });
});
