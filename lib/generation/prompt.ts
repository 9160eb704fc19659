/**
 * The model's input: the chat's system prompt and its history, newest kept, trimmed to a
 * character budget. The prompt message itself is always sent (cut from its start if alone
 * it exceeds the budget).
 */
import "server-only";
import type { ModelMessage } from "ai";
import type { ChatMessage } from "@/db/schema";

export interface BuiltPrompt {
  system?: string;
  messages: ModelMessage[];
  /** Uuids of the messages sent, in order: with the system prompt, the request as sent. */
  messageUuids: string[];
  trimmed: boolean;
}

/**
 * `authors`: the chat has several people in it, so each user message is prefixed with its
 * author's name ("Alice: ..."), and the system prompt says so: the model can tell who said what.
 */
export function buildPrompt(
  history: (ChatMessage & { authorName?: string | null })[],
  opts: { system?: string; budgetChars: number; authors?: boolean },
): BuiltPrompt {
  const named = (m: ChatMessage & { authorName?: string | null }) =>
    opts.authors && m.role === "user" && m.authorName ? { ...m, content: `${m.authorName}: ${m.content}` } : m;
  history = history.map(named);
  const system = opts.authors
    ? [opts.system, "Several people take part in this conversation: each of their messages starts with the name of who wrote it."].filter(Boolean).join("\n\n")
    : opts.system;
  opts = { ...opts, system };
  const usable = history.filter(
    (m) => m.content.length > 0 && (m.role === "user" || (m.role === "assistant" && m.status !== "pending") || m.role === "system"),
  );
  const picked: ChatMessage[] = [];
  let used = opts.system?.length ?? 0;
  for (let i = usable.length - 1; i >= 0; i--) {
    const m = usable[i]!;
    if (picked.length > 0 && used + m.content.length > opts.budgetChars) break;
    picked.unshift(m);
    used += m.content.length;
  }
  // A conversation starts with the user: drop a leading greeting or orphaned answer.
  while (picked.length > 1 && picked[0]!.role !== "user") picked.shift();
  const messages: ModelMessage[] = picked.map((m, i) => {
    let content = m.content;
    if (i === picked.length - 1 && picked.length === 1 && content.length + (opts.system?.length ?? 0) > opts.budgetChars) {
      content = content.slice(content.length - Math.max(1, opts.budgetChars - (opts.system?.length ?? 0)));
    }
    return m.role === "assistant" ? { role: "assistant", content } : m.role === "system" ? { role: "system", content } : { role: "user", content };
  });
  return {
    system: opts.system || undefined,
    messages,
    messageUuids: picked.map((m) => m.uuid),
    trimmed: picked.length < usable.length,
  };
}
