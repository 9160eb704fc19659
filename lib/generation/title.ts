/** A short title for a new chat, from its first exchange; the first words of the question when the model cannot. */
import "server-only";
import { generateText } from "ai";
import type { ChatMessage } from "@/db/schema";
import { setTitleIfEmpty } from "@/db/queries/chats";
import { languageModel } from "../models/registry";
import { DEMO_DISCLAIMER } from "../models/demo";
import { logPrompts } from "../log";

export function fallbackTitle(question: string): string {
  const words = question.replace(/\s+/g, " ").trim();
  return words.length > 60 ? `${words.slice(0, 57).trimEnd()}…` : words || "New chat";
}

function cleanTitle(raw: string): string {
  return raw
    .replace(/^["'#*\s]+|["'*.\s]+$/g, "")
    .replace(/\s+/g, " ")
    .slice(0, 80);
}

export async function generateChatTitle(input: { chatUuid: string; modelId: string; history: ChatMessage[]; answer: string }) {
  const question = input.history.filter((m) => m.role === "user").at(-1)?.content ?? "";
  let title = fallbackTitle(question);
  const model = languageModel(input.modelId);
  if (model) {
    try {
      const { text } = await generateText({
        model,
        system: "Write a short title (3 to 6 words) for this conversation. Answer with the title only, no quotes.",
        // The answer's content helps; its boilerplate (the demo model's disclaimer) would end up in the title.
        prompt: `User: ${question.slice(0, 2000)}\n\nAssistant: ${input.answer.replace(DEMO_DISCLAIMER, "").trim().slice(0, 1000)}`,
        maxRetries: 0,
        abortSignal: AbortSignal.timeout(15_000),
        // Traced like the answer (only with OpenTelemetry on); the text only with LOG_PROMPTS.
        telemetry: { functionId: "pollchat.title", recordInputs: logPrompts(), recordOutputs: logPrompts() },
      });
      const cleaned = cleanTitle(text);
      if (cleaned) title = cleaned;
    } catch {
      // The fallback title is fine; the answer itself succeeded.
    }
  }
  await setTitleIfEmpty({ chatUuid: input.chatUuid, title });
}
