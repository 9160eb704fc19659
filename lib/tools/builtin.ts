/**
 * The tools every deployment has, with no server to reach: the time (models do not know it) and
 * arithmetic (models get it wrong). BUILTIN_TOOLS chooses which are offered.
 */
import { z } from "zod";
import type { BuiltinToolName } from "../env";
import { CalculatorError, evaluate, MAX_EXPRESSION_CHARS } from "./calculator";
import { ToolError, type AppTool } from "./types";

/** The input as the tool's schema says, or a ToolError naming what is wrong. */
function parseInput<T>(schema: z.ZodType<T>, input: unknown, tool: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
  throw new ToolError(`The input of ${tool} is not valid: ${issues.join("; ")}.`);
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** "Monday, 7 December 2026, 14:03" and "+01:00", in `timeZone`. */
export function formatLocal(at: Date, timeZone: string): { local: string; utcOffset: string } {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "longOffset",
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  const offset = part("timeZoneName").replace(/^GMT/, "") || "+00:00";
  return { local: `${part("weekday")}, ${part("day")} ${part("month")} ${part("year")}, ${part("hour")}:${part("minute")}`, utcOffset: offset };
}

const currentTimeInput = z.object({
  timeZone: z.string().min(1).max(64).optional().describe('An IANA time zone such as "Europe/Paris"; unset, the user\'s own.'),
});

function currentTime(now: () => Date): AppTool {
  return {
    name: "current_time",
    source: "builtin",
    description: "The current date and time, in the user's time zone or in another IANA time zone.",
    inputSchema: currentTimeInput,
    needsApproval: false,
    async run(input, opts) {
      const asked = parseInput(currentTimeInput, input ?? {}, "current_time").timeZone;
      if (asked !== undefined && !isTimeZone(asked)) throw new ToolError(`"${asked}" is not a time zone: use an IANA name such as "Europe/Paris" or "America/New_York".`);
      // The user's zone comes from their browser: one this server's ICU does not know is not the model's fault.
      const timeZone = asked ?? (opts.timeZone && isTimeZone(opts.timeZone) ? opts.timeZone : "UTC");
      const at = now();
      return { output: { iso: at.toISOString(), ...formatLocal(at, timeZone), timeZone } };
    },
  };
}

const calculatorInput = z.object({
  expression: z
    .string()
    .max(MAX_EXPRESSION_CHARS)
    .describe("Arithmetic such as (2.5e3 - 12) * 4 / 3 ^ 2 + sqrt(2) + max(1, ln(10)): + - * / % ^ (power), parentheses, pi, e, sqrt abs round floor ceil sin cos tan (radians) log (base 10) ln exp min max."),
});

const calculator: AppTool = {
  name: "calculator",
  source: "builtin",
  description: "Evaluates an arithmetic expression exactly as written and returns its value (15 significant digits). Use it for any calculation.",
  inputSchema: calculatorInput,
  needsApproval: false,
  async run(input) {
    const { expression } = parseInput(calculatorInput, input, "calculator");
    try {
      return { output: { expression, result: evaluate(expression) } };
    } catch (err) {
      if (err instanceof CalculatorError) throw new ToolError(err.message, { cause: err });
      throw err;
    }
  },
};

/** The built-in tools named, in that order; `now` is for tests. */
export function builtinTools(names: readonly BuiltinToolName[], now: () => Date = () => new Date()): AppTool[] {
  const all: Record<BuiltinToolName, () => AppTool> = { current_time: () => currentTime(now), calculator: () => calculator };
  return names.map((name) => all[name]());
}
