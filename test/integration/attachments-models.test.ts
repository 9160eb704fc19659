/**
 * What a model is given of the files sent to it (docs/design.md §3.13), over real HTTP with the
 * real runner and the fake model: an image reaches a model that reads images as its very bytes;
 * a model that does not gets a PDF's text, and a visible note for an image; a text file over the
 * context budget is cut with a note. The test stack's compatible:fake-vision reads images and
 * PDFs, compatible:fake-model neither (test/support/app-server.ts).
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { signUp, type TestClient } from "../support/client.ts";
import { createChat, exchange, fakeRequests, json, messages, until } from "../support/chat.ts";
import { sharedBaseUrl, sharedFakeOpenAIUrl } from "../support/context.ts";

const baseUrl = sharedBaseUrl();
const fakeUrl = sharedFakeOpenAIUrl();
const VISION = "compatible:fake-vision";
const TEXT_ONLY = "compatible:fake-model";

/** A 1x1 PNG. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==", "base64");

const sha12 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex").slice(0, 12);

async function upload(client: TestClient, chatUuid: string, name: string, bytes: Uint8Array, type = "application/octet-stream"): Promise<string> {
  const form = new FormData();
  form.set("file", new Blob([new Uint8Array(bytes)], { type }), name);
  const res = await client.request(`/chat/${chatUuid}/attachments`, { method: "POST", body: form });
  return (await json<{ attachment: { uuid: string } }>(res, 201)).attachment.uuid;
}

async function pdfWith(lines: string[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const line of lines) doc.addPage().drawText(line, { x: 50, y: 700, font, size: 14 });
  return doc.save();
}

/** The fake's record of the answer's request: the first whose last message includes `marker` (the chat's title request comes after it). */
async function sentWith(marker: string) {
  return until("the model request", async () => (await fakeRequests(fakeUrl)).find((r) => r.messages.at(-1)?.content.includes(marker)));
}

describe("files given to models", () => {
  it("GET /api/models says what each model reads", async () => {
    const client = await signUp(baseUrl);
    const { models } = await json<{ models: { id: string; input: { images: boolean; pdf: boolean } }[] }>(await client.get("/api/models"), 200);
    const input = Object.fromEntries(models.map((m) => [m.id, m.input]));
    expect(input).toMatchObject({
      [VISION]: { images: true, pdf: true },
      [TEXT_ONLY]: { images: false, pdf: false },
      demo: { images: false, pdf: false },
    });
  });

  it("an image reaches a model that reads images as its bytes, and a PDF as a file", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client, { model: VISION });
    const pdf = await pdfWith(["Vision sees a PDF"]);
    const image = await upload(client, chat.uuid, "dot.png", PNG, "image/png");
    const doc = await upload(client, chat.uuid, "paper.pdf", pdf, "application/pdf");
    const { stored, polled } = await exchange(client, chat.uuid, "What is in these? (vision-1)", { attachments: [image, doc] });
    expect(polled.status).toBe("completed");
    // Only a model that got the bytes can say their length and hash.
    expect(stored.content).toContain(`Files: image/png, ${PNG.length} bytes, sha256 ${sha12(PNG)}; application/pdf, ${pdf.length} bytes, sha256 ${sha12(pdf)}.`);
    expect(stored).not.toHaveProperty("notes");
    const sent = await sentWith("(vision-1)");
    expect(sent.messages.at(-1)!.content).toBe("What is in these? (vision-1)\n\n[Image attached: dot.png]");
    expect(sent.messages.at(-1)!.files).toMatchObject([
      { kind: "image", mediaType: "image/png", bytes: PNG.length },
      { kind: "file", mediaType: "application/pdf", bytes: pdf.length, filename: "paper.pdf" },
    ]);
  });

  it("a model that does not read PDFs gets the PDF's text, labelled with its name", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client, { model: TEXT_ONLY });
    const pdf = await pdfWith(["The secret word is pomegranate", "Page two says hello"]);
    const doc = await upload(client, chat.uuid, "report.pdf", pdf, "application/pdf");
    const { stored } = await exchange(client, chat.uuid, "[[fake echo=1 chunk=200 delay=0]] Summarize (pdf-2)", { attachments: [doc] });
    expect(stored.status).toBe("completed");
    // The fake echoes what it was given: the text unpdf extracted, inside the file's labels.
    expect(stored.content).toMatch(/^Summarize \(pdf-2\)\n\n\[File: report\.pdf \(the text of a PDF\)\]\nThe secret word is pomegranate\n\nPage two says hello\n\[End of report\.pdf\]$/);
    const sent = await sentWith("(pdf-2)");
    expect(sent.messages.at(-1)).not.toHaveProperty("files");
    expect(stored).not.toHaveProperty("notes");
  });

  it("an image to a model that cannot see images: the model is told, and the answer carries a visible note", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client, { model: TEXT_ONLY });
    const image = await upload(client, chat.uuid, "holiday.png", PNG, "image/png");
    const { stored, answer } = await exchange(client, chat.uuid, "[[fake echo=1 delay=0]] Look (img-3)", { attachments: [image] });
    const note = "holiday.png was not given to the model: this model cannot see images.";
    expect(stored.notes).toEqual([note]);
    expect(stored.content).toBe("Look (img-3)\n\n[File: holiday.png (image/png), not given to you: this model cannot see images]");
    const sent = await sentWith("(img-3)");
    expect(sent.messages.at(-1)).not.toHaveProperty("files");
    // The tokens poll says it too: a client that saw the pending answer before the notes were written.
    const tokens = await json<{ notes?: string[] }>(await client.get(`/chat/message/${answer.uuid}/tokens/0`), 200);
    expect(tokens.notes).toEqual([note]);
    // /lite shows it above the answer.
    const page = await client.get(`/chat/${chat.uuid}/messages`, { headers: { "HX-Request": "true" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`<ul class="msg-notes" id="notes-${answer.uuid}" aria-label="Notes"><li>${note}</li></ul>`);
  });

  it("the demo model names the files it was given (it reads no images)", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client, { model: "demo" });
    const text = await upload(client, chat.uuid, "minutes.txt", new TextEncoder().encode("We agreed to ship on Friday."), "text/plain");
    const image = await upload(client, chat.uuid, "whiteboard.png", PNG, "image/png");
    const { stored } = await exchange(client, chat.uuid, "What did we decide?", { attachments: [text, image] });
    expect(stored.status).toBe("completed");
    expect(stored.content).toContain("You attached **minutes.txt**, **whiteboard.png**.");
    expect(stored.notes).toEqual(["whiteboard.png was not given to the model: this model cannot see images."]);
  });

  it("a text file over the context budget is cut, the model told where, and a note says so", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client, { model: TEXT_ONLY });
    // Past CONTEXT_BUDGET_CHARS (48,000 by default), in lines so it reads as text.
    const big = Array.from({ length: 1_000 }, (_, i) => `line ${String(i).padStart(4, "0")} ${"x".repeat(50)}`).join("\n");
    expect(big.length).toBeGreaterThan(48_000);
    const file = await upload(client, chat.uuid, "big.log", new TextEncoder().encode(big), "text/plain");
    const { stored } = await exchange(client, chat.uuid, "[[fake echo=1 chunk=5000 delay=0]] Read it (cut-4)", { attachments: [file] });
    expect(stored.status).toBe("completed");
    const cut = /\n\[Cut here: the first (\d+) of (\d+) characters of big\.log; the rest did not fit the conversation's budget\]$/.exec(stored.content);
    expect(cut, stored.content.slice(-300)).not.toBeNull();
    const [given, total] = [Number(cut![1]), Number(cut![2])];
    expect(total).toBe(big.length);
    expect(given).toBeLessThan(48_000);
    expect(given).toBeGreaterThan(40_000);
    expect(stored.content).toContain(`[File: big.log]\n${big.slice(0, given)}\n[Cut here`);
    expect(stored.notes).toEqual([
      `big.log was cut: the model was given its first ${given.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} characters (the conversation's budget).`,
    ]);
    // Every reader of the chat sees the note on the answer.
    const all = await messages(client, chat.uuid);
    expect(all.messages.find((m) => m.uuid === stored.uuid)).toMatchObject({ notes: stored.notes });
  });
});
