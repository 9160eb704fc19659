/**
 * What a model is given of attached files (docs/design.md §3.13): the parts buildPrompt makes of
 * a message's files, the budget they share with the history, the notes for people, and how
 * promptFiles picks what each model reads (lib/generation/prompt-files.ts).
 */
import { describe, expect, it } from "vitest";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { buildPrompt, filesInText, messageText, type PromptFile } from "../../lib/generation/prompt.ts";
import { extractPdfText, promptFiles, type AttachedFile, type FileSources } from "../../lib/generation/prompt-files.ts";
import { makeAnswer } from "../../lib/models/demo.ts";
import { modelInput } from "../../lib/models/registry.ts";
import { parseEnv } from "../../lib/env.ts";
import type { ChatMessage } from "../../db/schema.ts";

let n = 0;
function msg(role: ChatMessage["role"], content: string): ChatMessage {
  n++;
  return {
    uuid: `0190f5b8-7c1e-7cc3-9a39-${String(n).padStart(12, "0")}`,
    chatUuid: "0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3e",
    role,
    content,
    status: "completed",
    llmRequestUuid: null,
    error: null,
    authorId: null,
    parts: null,
    partsCursor: null,
    parentUuid: null,
    selected: true,
    hidden: false,
    notes: null,
    createdAt: new Date(1_700_000_000_000 + n),
  };
}

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

describe("buildPrompt with files", () => {
  it("gives a capable model the image and the PDF as file parts after one text part", () => {
    const question = msg("user", "What is in these?");
    const files: PromptFile[] = [
      { kind: "image", name: "cat.png", mediaType: "image/png", bytes: png },
      { kind: "pdf", name: "report.pdf", bytes: new Uint8Array([1, 2]) },
      { kind: "text", name: "notes.txt", text: "line one\nline two", from: "text" },
    ];
    const built = buildPrompt([question], { budgetChars: 10_000, files: new Map([[question.uuid, files]]) });
    expect(built.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is in these?\n\n[Image attached: cat.png]\n\n[File: notes.txt]\nline one\nline two\n[End of notes.txt]" },
          { type: "file", data: png, mediaType: "image/png", filename: "cat.png" },
          { type: "file", data: new Uint8Array([1, 2]), mediaType: "application/pdf", filename: "report.pdf" },
        ],
      },
    ]);
    expect(built.notes).toEqual([]);
  });

  it("tells the model, and notes for people, a file it was not given; a message with only files is sent", () => {
    const question = msg("user", "");
    const files: PromptFile[] = [{ kind: "left_out", name: "cat.png", mediaType: "image/png", why: "this model cannot see images" }];
    const built = buildPrompt([question], { budgetChars: 10_000, files: new Map([[question.uuid, files]]) });
    expect(built.messages).toEqual([{ role: "user", content: [{ type: "text", text: "[File: cat.png (image/png), not given to you: this model cannot see images]" }] }]);
    expect(built.notes).toEqual(["cat.png was not given to the model: this model cannot see images."]);
  });

  it("sends no empty text part: a message of only a PDF is the PDF", () => {
    const question = msg("user", "");
    const built = buildPrompt([question], { budgetChars: 10_000, files: new Map([[question.uuid, [{ kind: "pdf", name: "a.pdf", bytes: new Uint8Array([1]) }]]]) });
    expect(built.messages).toEqual([{ role: "user", content: [{ type: "file", data: new Uint8Array([1]), mediaType: "application/pdf", filename: "a.pdf" }] }]);
  });

  it("labels a PDF's text, and cuts a text over the budget with a line for the model and a note", () => {
    const question = msg("user", "Summarize");
    const files: PromptFile[] = [
      { kind: "text", name: "a.pdf", text: "pdf words", from: "pdf" },
      { kind: "text", name: "big.txt", text: "x".repeat(5_000), from: "text" },
    ];
    const built = buildPrompt([question], { budgetChars: 1_000, files: new Map([[question.uuid, files]]) });
    const text = messageText(built.messages[0]!);
    expect(text).toContain("[File: a.pdf (the text of a PDF)]\npdf words\n[End of a.pdf]");
    const given = /\[Cut here: the first (\d+) of 5000 characters of big\.txt;/.exec(text);
    expect(given).not.toBeNull();
    const kept = Number(given![1]);
    expect(kept).toBeGreaterThan(500);
    expect(text).toContain(`[File: big.txt]\n${"x".repeat(kept)}\n[Cut here`);
    // Within the budget, give or take the cut line (longer than the closing line it replaces).
    expect(text.length).toBeLessThanOrEqual(1_000 + 120);
    expect(built.notes).toEqual([`big.txt was cut: the model was given its first ${kept} of 5,000 characters (the conversation's budget).`]);
  });

  it("keeps the newest messages' files first: an older message's file takes only what is left, older messages after it go", () => {
    const first = msg("user", "Old question");
    const answer = msg("assistant", "Old answer");
    const second = msg("user", "About this file");
    const files = new Map<string, PromptFile[]>([
      [first.uuid, [{ kind: "text", name: "old.txt", text: "o".repeat(400), from: "text" }]],
      [second.uuid, [{ kind: "text", name: "new.txt", text: "n".repeat(600), from: "text" }]],
    ]);
    const built = buildPrompt([first, answer, second], { budgetChars: 800, files });
    expect(messageText(built.messages.at(-1)!)).toContain("n".repeat(600));
    // The answer fits; the old question's file is cut (or the question left out): never over budget.
    const all = built.messages.map(messageText).join("");
    expect(all.length).toBeLessThanOrEqual(800 + 120);
    // Notes speak of the prompt message's files only.
    expect(built.notes).toEqual([]);
  });
});

describe("what each model reads (IMAGE_MODELS, PDF_MODELS)", () => {
  it("by default the big providers read images and PDFs, a compatible server and the demo neither", () => {
    const e = parseEnv({});
    expect(modelInput("openai:gpt-5", "openai", e)).toEqual({ images: true, pdf: true });
    expect(modelInput("anthropic:claude-sonnet-4-5", "anthropic", e)).toEqual({ images: true, pdf: true });
    expect(modelInput("gateway:openai/gpt-5-mini", "gateway", e)).toEqual({ images: true, pdf: true });
    expect(modelInput("compatible:llava", "compatible", e)).toEqual({ images: false, pdf: false });
    expect(modelInput("demo", "demo", e)).toEqual({ images: false, pdf: false });
  });

  it("a list names the models that read them, '*' every real one, never the demo", () => {
    const named = parseEnv({ IMAGE_MODELS: "compatible:llava, openai:gpt-5", PDF_MODELS: "" });
    expect(modelInput("compatible:llava", "compatible", named)).toEqual({ images: true, pdf: false });
    expect(modelInput("openai:gpt-5-mini", "openai", named)).toEqual({ images: false, pdf: true });
    const all = parseEnv({ IMAGE_MODELS: "*", PDF_MODELS: "*" });
    expect(modelInput("compatible:anything", "compatible", all)).toEqual({ images: true, pdf: true });
    expect(modelInput("demo", "demo", all)).toEqual({ images: false, pdf: false });
  });
});

describe("promptFiles: what each model reads", () => {
  const row = (over: Partial<AttachedFile>): AttachedFile => ({ messageUuid: "m1", name: "f", mediaType: "text/plain", size: 1, sha256: "0".repeat(64), ...over });
  const sources = (rows: AttachedFile[], bytes: Record<string, Uint8Array>): FileSources & { read: string[] } => {
    const read: string[] = [];
    return {
      read,
      attachmentsOf: async () => rows,
      readBytes: async (sha) => {
        read.push(sha);
        const b = bytes[sha];
        if (!b) throw new Error("gone");
        return b;
      },
      pdfText: async () => "the pdf text",
    };
  };
  const rows = [
    row({ name: "cat.png", mediaType: "image/png", sha256: "a" }),
    row({ name: "doc.pdf", mediaType: "application/pdf", sha256: "b" }),
    row({ name: "n.txt", mediaType: "text/plain", sha256: "c" }),
  ];
  const bytes = { a: png, b: new Uint8Array([9]), c: new TextEncoder().encode("héllo") };

  it("a model that reads images and PDFs gets their bytes; text files are text for every model", async () => {
    const got = await promptFiles([{ uuid: "m1", role: "user", content: "" }], { images: true, pdf: true }, sources(rows, bytes));
    expect(got.get("m1")).toEqual([
      { kind: "image", name: "cat.png", mediaType: "image/png", bytes: png },
      { kind: "pdf", name: "doc.pdf", bytes: new Uint8Array([9]) },
      { kind: "text", name: "n.txt", text: "héllo", from: "text" },
    ]);
  });

  it("a text-only model gets the PDF's text and not the image (whose bytes are not even read)", async () => {
    const s = sources(rows, bytes);
    const got = await promptFiles([{ uuid: "m1", role: "user", content: "" }], { images: false, pdf: false }, s);
    expect(got.get("m1")).toEqual([
      { kind: "left_out", name: "cat.png", mediaType: "image/png", why: "this model cannot see images" },
      { kind: "text", name: "doc.pdf", text: "the pdf text", from: "pdf" },
      { kind: "text", name: "n.txt", text: "héllo", from: "text" },
    ]);
    expect(s.read).not.toContain("a");
  });

  it("does not read the files of messages whose text alone is past the budget", async () => {
    const asked: string[][] = [];
    const s: FileSources = { attachmentsOf: async (uuids) => (asked.push(uuids), []), readBytes: async () => new Uint8Array(), pdfText: async () => "" };
    const history = [
      { uuid: "old", role: "user", content: "x".repeat(500) },
      { uuid: "a", role: "assistant", content: "y".repeat(300) },
      { uuid: "new", role: "user", content: "z".repeat(300) },
    ];
    await promptFiles(history, { images: true, pdf: true }, s, 1_000);
    expect(asked).toEqual([["new"]]);
    await promptFiles(history, { images: true, pdf: true }, s, 2_000);
    expect(asked[1]).toEqual(["new", "old"]);
    // The prompt message's files are always read, whatever its length.
    await promptFiles(history, { images: true, pdf: true }, s, 10);
    expect(asked[2]).toEqual(["new"]);
  });

  it("reads each content once, the question's files first, and leaves out what is past the bytes budget", async () => {
    const big = (uuid: string, name: string, sha256: string) => row({ messageUuid: uuid, name, mediaType: "image/png", size: 600, sha256 });
    // The database answers oldest first; the budget must still go to the question first.
    const s = sources([big("old", "old.png", "x"), big("old", "again.png", "q"), big("new", "new.png", "q")], { x: png, q: png });
    const history = [
      { uuid: "old", role: "user", content: "" },
      { uuid: "a", role: "assistant", content: "" },
      { uuid: "new", role: "user", content: "" },
    ];
    const got = await promptFiles(history, { images: true, pdf: true }, s, Infinity, 1_000);
    expect(got.get("new")).toEqual([{ kind: "image", name: "new.png", mediaType: "image/png", bytes: png }]);
    // The same content again costs nothing; another one past the budget is left out, unread.
    expect(got.get("old")).toEqual([
      { kind: "left_out", name: "old.png", mediaType: "image/png", why: "the files of this conversation are more than one request to the model may carry" },
      { kind: "image", name: "again.png", mediaType: "image/png", bytes: png },
    ]);
    expect(s.read).toEqual(["q"]);
  });

  it("a file that cannot be read is left out with the reason, not the whole answer", async () => {
    const got = await promptFiles([{ uuid: "m1", role: "user", content: "" }], { images: true, pdf: true }, sources([row({ name: "lost.txt", sha256: "zz" })], {}));
    expect(got.get("m1")).toEqual([{ kind: "left_out", name: "lost.txt", mediaType: "text/plain", why: "it could not be read from storage" }]);
  });

  it("extracts the text of a real PDF (made with pdf-lib) with unpdf", async () => {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    doc.addPage().drawText("Quarterly revenue grew 42 percent", { x: 50, y: 700, font, size: 14 });
    doc.addPage().drawText("Second page here", { x: 50, y: 700, font, size: 14 });
    const text = await extractPdfText(await doc.save());
    expect(text).toContain("Quarterly revenue grew 42 percent");
    expect(text).toContain("Second page here");
  });
});

describe("the demo model and files", () => {
  it("names the attached files and answers the message itself", () => {
    const question = msg("user", "Please review");
    const files: PromptFile[] = [
      { kind: "text", name: "plan.md", text: "# Plan", from: "text" },
      { kind: "left_out", name: "photo.jpg", mediaType: "image/jpeg", why: "this model cannot see images" },
    ];
    const text = messageText(buildPrompt([question], { budgetChars: 10_000, files: new Map([[question.uuid, files]]) }).messages[0]!);
    expect(filesInText(text)).toEqual({ names: ["plan.md", "photo.jpg"], message: "Please review" });
    const answer = makeAnswer(text, () => 0);
    expect(answer).toContain("You attached **plan.md**, **photo.jpg**.");
    expect(answer).toBe(makeAnswer(text, () => 0));
  });
});
