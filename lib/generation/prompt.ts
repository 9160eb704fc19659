/**
 * The model's input: the chat's system prompt and its history, newest kept, trimmed to a
 * character budget. The prompt message itself is always sent (cut from its start if alone
 * it exceeds the budget). A user message's files go with it (docs/design.md §3.13): images and
 * PDFs as parts for a model that reads them, text (a text file's, a PDF's) inside the budget,
 * and a line saying what was left out, which the answer's notes tell people too.
 */
import "server-only";
import type { FilePart, ModelMessage, TextPart } from "ai";
import type { ChatMessage } from "@/db/schema";

/** One attached file as the model gets it (lib/generation/prompt-files.ts makes them). */
export type PromptFile =
  /** An image for a model that reads images. */
  | { kind: "image"; name: string; mediaType: string; bytes: Uint8Array }
  /** A PDF for a model that reads PDFs. */
  | { kind: "pdf"; name: string; bytes: Uint8Array }
  /** Text: a text file's, or the text extracted from a PDF for a model that does not read PDFs. */
  | { kind: "text"; name: string; text: string; from: "text" | "pdf" }
  /** Not given: the model is told it was attached and why it does not have it. */
  | { kind: "left_out"; name: string; mediaType: string; why: string };

export interface BuiltPrompt {
  system?: string;
  messages: ModelMessage[];
  /** Uuids of the messages sent, in order: with the system prompt, the request as sent. */
  messageUuids: string[];
  trimmed: boolean;
  /**
   * For people, on the answer: each file of the prompt message the model did not get whole
   * (left out, or its text cut at the budget). Older messages' files were noted on their own answers.
   */
  notes: string[];
}

type HistoryMessage = ChatMessage & { authorName?: string | null };

/**
 * `authors`: the chat has several people in it, so each user message is prefixed with its
 * author's name ("Alice: ..."), and the system prompt says so: the model can tell who said what.
 * `files`: each user message's files by its uuid, in the order they were attached.
 */
export function buildPrompt(
  history: HistoryMessage[],
  opts: { system?: string; budgetChars: number; authors?: boolean; files?: ReadonlyMap<string, readonly PromptFile[]> },
): BuiltPrompt {
  const named = (m: HistoryMessage) => (opts.authors && m.role === "user" && m.authorName ? { ...m, content: `${m.authorName}: ${m.content}` } : m);
  history = history.map(named);
  const system = opts.authors
    ? [opts.system, "Several people take part in this conversation: each of their messages starts with the name of who wrote it."].filter(Boolean).join("\n\n")
    : opts.system;
  const filesOf = (m: ChatMessage) => (m.role === "user" ? (opts.files?.get(m.uuid) ?? []) : []);
  const usable = history.filter(
    (m) =>
      (m.content.length > 0 || filesOf(m).length > 0) &&
      (m.role === "user" || (m.role === "assistant" && m.status !== "pending") || m.role === "system"),
  );
  // Newest first: a message whose own text (and its files' labels) fits is taken, and its files'
  // text gets what is left of the budget, cut when over it. Once a file is cut the budget is
  // spent, and older messages are left out.
  const picked: { m: ChatMessage; files: GivenFile[] }[] = [];
  let used = system?.length ?? 0;
  for (let i = usable.length - 1; i >= 0; i--) {
    const m = usable[i]!;
    const files = filesOf(m);
    const fixed = m.content.length + files.reduce((n, f) => n + labelChars(f), 0);
    if (picked.length > 0 && used + fixed > opts.budgetChars) break;
    used += fixed;
    const given = files.map((f): GivenFile => {
      if (f.kind !== "text") return { file: f };
      const room = Math.max(0, opts.budgetChars - used);
      const text = f.text.length > room ? f.text.slice(0, room) : f.text;
      used += text.length;
      return { file: f, text };
    });
    picked.unshift({ m, files: given });
  }
  // A conversation starts with the user: drop a leading greeting or orphaned answer.
  while (picked.length > 1 && picked[0]!.m.role !== "user") picked.shift();
  const messages: ModelMessage[] = picked.map(({ m, files }, i) => {
    let content = m.content;
    if (i === picked.length - 1 && picked.length === 1 && content.length + (system?.length ?? 0) > opts.budgetChars) {
      content = content.slice(content.length - Math.max(1, opts.budgetChars - (system?.length ?? 0)));
    }
    if (m.role === "assistant") return { role: "assistant", content };
    if (m.role === "system") return { role: "system", content };
    return files.length ? { role: "user", content: userParts(content, files) } : { role: "user", content };
  });
  const prompt = picked.at(-1);
  return {
    system: system || undefined,
    messages,
    messageUuids: picked.map((p) => p.m.uuid),
    trimmed: picked.length < usable.length,
    notes: prompt && prompt.m.uuid === history.at(-1)?.uuid ? prompt.files.flatMap(noteOf) : [],
  };
}

/** A file as it goes into the prompt: a text file's text as it fits the budget. */
interface GivenFile {
  file: PromptFile;
  text?: string;
}

/** The lines around a text file's text, and a left-out file's line: counted in the budget. */
function labelChars(f: PromptFile): number {
  switch (f.kind) {
    case "text":
      return textOpening(f).length + textClosing(f, f.text.length).length;
    case "left_out":
      return leftOutLine(f).length;
    case "image":
      return imageLine(f.name).length;
    case "pdf":
      return 0;
  }
}

function textOpening(f: Extract<PromptFile, { kind: "text" }>): string {
  return `\n\n[File: ${f.name}${f.from === "pdf" ? " (the text of a PDF)" : ""}]\n`;
}

function textClosing(f: Extract<PromptFile, { kind: "text" }>, given: number): string {
  return given < f.text.length
    ? `\n[Cut here: the first ${given} of ${f.text.length} characters of ${f.name}; the rest did not fit the conversation's budget]`
    : `\n[End of ${f.name}]`;
}

function leftOutLine(f: Extract<PromptFile, { kind: "left_out" }>): string {
  return `\n\n[File: ${f.name} (${f.mediaType}), not given to you: ${f.why}]`;
}

function imageLine(name: string): string {
  return `\n\n[Image attached: ${name}]`;
}

/**
 * A user message with files: one text part (the message, each text file's text with its name,
 * a line for each file left out or image attached), then the images and PDFs themselves as file
 * parts (AI SDK 7: an image is a file part with an image/* media type; the "image" part is
 * deprecated). @ai-sdk/openai-compatible sends them as an `image_url` data URL and a `file`
 * with `file_data`; the OpenAI and Anthropic providers as their APIs' image and document inputs.
 */
function userParts(content: string, files: GivenFile[]): (TextPart | FilePart)[] {
  let text = content;
  const media: FilePart[] = [];
  for (const { file: f, text: given } of files) {
    switch (f.kind) {
      case "text":
        text += textOpening(f) + (given ?? "") + textClosing(f, given?.length ?? 0);
        break;
      case "left_out":
        text += leftOutLine(f);
        break;
      case "image":
        text += imageLine(f.name);
        media.push({ type: "file", data: f.bytes, mediaType: f.mediaType, filename: f.name });
        break;
      case "pdf":
        media.push({ type: "file", data: f.bytes, mediaType: "application/pdf", filename: f.name });
        break;
    }
  }
  text = text.replace(/^\n\n/, "");
  // No empty text part: Anthropic refuses one (a message of only a PDF has no text at all).
  return text ? [{ type: "text", text }, ...media] : media;
}

function noteOf({ file: f, text }: GivenFile): string[] {
  if (f.kind === "left_out") return [`${f.name} was not given to the model: ${f.why}.`];
  if (f.kind === "text" && text !== undefined && text.length < f.text.length) {
    return [
      text.length === 0
        ? `${f.name} was not given to the model: its text did not fit the conversation's budget.`
        : `${f.name} was cut: the model was given its first ${text.length.toLocaleString("en-US")} of ${f.text.length.toLocaleString("en-US")} characters (the conversation's budget).`,
    ];
  }
  return [];
}

/**
 * The files a user message's text names, as userParts writes them, and the message before them:
 * how the demo model (which reads no files) can speak of them.
 */
export function filesInText(text: string): { names: string[]; message: string } {
  const start = /(?:^|\n\n)\[(?:File|Image attached): /.exec(text);
  if (!start) return { names: [], message: text };
  const names = [...text.slice(start.index).matchAll(/^\[(?:File|Image attached): (.+?)(?: \(the text of a PDF\)| \([^()]*\), not given to you: .*)?\]$/gm)].map((m) => m[1]!);
  return { names: [...new Set(names)], message: text.slice(0, start.index) };
}

/** The text of a message as sent (for the token estimate): its text parts. */
export function messageText(m: ModelMessage): string {
  if (typeof m.content === "string") return m.content;
  return m.content.map((p) => (p.type === "text" ? p.text : "")).join("");
}

/** The prompt for the log: images and PDFs by their size, not their bytes. */
export function loggable(messages: ModelMessage[]): unknown[] {
  return messages.map((m) =>
    typeof m.content === "string" || m.role !== "user"
      ? m
      : {
          ...m,
          content: m.content.map((p) =>
            p.type === "file" ? { type: "file", mediaType: p.mediaType, filename: p.filename, bytes: byteLength(p.data) } : p,
          ),
        },
  );
}

function byteLength(data: unknown): number | undefined {
  return data instanceof Uint8Array ? data.byteLength : undefined;
}
