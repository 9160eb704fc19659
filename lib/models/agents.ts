/**
 * Agents: named presets a chat is started with (the seed's `agent`). Each has a system
 * prompt, an optional preferred model and an optional opening message shown in the chat.
 */
export interface Agent {
  id: string;
  name: string;
  description: string;
  systemPrompt: string;
  /** Used when configured; otherwise the deployment's default model. */
  model?: string;
  greeting?: string;
}

export const AGENTS: readonly Agent[] = [
  {
    id: "assistant",
    name: "Assistant",
    description: "A helpful general assistant for questions, writing and ideas.",
    systemPrompt:
      "You are a helpful, knowledgeable assistant. Answer clearly and concisely, use Markdown for structure when it helps, and say so when you are not sure.",
  },
  {
    id: "coder",
    name: "Code helper",
    description: "Explains, writes and reviews code, with runnable examples.",
    systemPrompt:
      "You are a senior software engineer. Give correct, idiomatic code in fenced blocks with the language named, explain trade-offs briefly, and point out bugs and edge cases.",
    greeting: "Paste some code or describe what you want to build.",
  },
  {
    id: "writer",
    name: "Writing editor",
    description: "Improves drafts: clarity, tone, structure and grammar.",
    systemPrompt:
      "You are a careful editor. Improve the user's text for clarity, tone and correctness while keeping their voice; show the revised text first, then a short list of the main changes.",
    greeting: "Paste a draft and tell me who it is for.",
  },
];

export const DEFAULT_AGENT = "assistant";

export function findAgent(id: string): Agent | undefined {
  return AGENTS.find((a) => a.id === id);
}
