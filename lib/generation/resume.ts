/**
 * How an attempt goes on from an interrupted one's parts (docs/design.md §3.11 and §5.3): the
 * steps that called tools are given back to the model as they happened (its text and calls,
 * then the tools' results), so no completed call runs again; only the text after the last such
 * step is continued as text (prefill or instruction, continuation.ts).
 */
import type { ModelMessage } from "ai";
import { textSlices, type Part, type ToolPart } from "../parts";

export interface ResumePlan {
  /** The completed steps with tool calls, as assistant and tool messages. */
  stepMessages: ModelMessage[];
  /** The visible text after the last step with tool calls: what is continued as text. */
  trailingText: string;
  /** The step the model's first new step is. */
  stepBase: number;
  /** The new output continues the last stretch of text (no new text part, no blank line). */
  textOpen: boolean;
}

/** Tool calls an interrupted attempt left open (they must be settled before the model is asked). */
export function openCalls(parts: readonly Part[]): ToolPart[] {
  return parts.filter((p): p is ToolPart => p.type === "tool" && (p.status === "input" || p.status === "running" || p.status === "awaiting-approval"));
}

/** What the model gets back for an ended call. */
function resultOf(p: ToolPart) {
  const base = { type: "tool-result" as const, toolCallId: p.callId, toolName: p.name };
  if (p.status === "done") {
    return typeof p.output === "string"
      ? { ...base, output: { type: "text" as const, value: p.output } }
      : { ...base, output: { type: "json" as const, value: (p.output ?? null) as never } };
  }
  if (p.status === "denied") return { ...base, output: { type: "execution-denied" as const, reason: p.error ?? "A member of the chat did not allow this call." } };
  return { ...base, output: { type: "error-text" as const, value: p.error ?? "The tool call failed." } };
}

/** The plan for parts whose calls have all ended (see openCalls), and the visible text so far. */
export function resumePlan(parts: readonly Part[], text: string): ResumePlan {
  const tools = parts.filter((p): p is ToolPart => p.type === "tool");
  if (tools.length === 0) {
    // No step called a tool: the whole text is continued, as before parts existed.
    const lastStep = Math.max(0, ...parts.map((p) => (p.type === "text" ? p.step : 0)));
    return { stepMessages: [], trailingText: text, stepBase: lastStep, textOpen: text.length > 0 };
  }
  const lastToolStep = Math.max(...tools.map((t) => t.step));
  const slices = textSlices(parts, text);
  const textOfStep = new Map<number, string>();
  let trailingText = "";
  let trailingStep: number | undefined;
  parts.forEach((p, i) => {
    if (p.type !== "text") return;
    const slice = slices.get(i) ?? "";
    if (p.step <= lastToolStep) textOfStep.set(p.step, (textOfStep.get(p.step) ?? "") + slice);
    else {
      trailingText += slice;
      trailingStep ??= p.step;
    }
  });
  const stepMessages: ModelMessage[] = [];
  for (let step = 0; step <= lastToolStep; step++) {
    const calls = tools.filter((t) => t.step === step);
    const said = (textOfStep.get(step) ?? "").trim();
    if (calls.length === 0) {
      if (said) stepMessages.push({ role: "assistant", content: said });
      continue;
    }
    stepMessages.push({
      role: "assistant",
      content: [
        ...(said ? [{ type: "text" as const, text: said }] : []),
        ...calls.map((c) => ({ type: "tool-call" as const, toolCallId: c.callId, toolName: c.name, input: c.input ?? {} })),
      ],
    });
    stepMessages.push({ role: "tool", content: calls.map(resultOf) });
  }
  return trailingStep === undefined
    ? { stepMessages, trailingText: "", stepBase: lastToolStep + 1, textOpen: false }
    : { stepMessages, trailingText, stepBase: trailingStep, textOpen: true };
}
