/**
 * Files and versions on the chat screen (components/chat/attachments.tsx, version-switch.tsx):
 * files given to the composer the ways a person gives them (dropped on the chat, pasted into the
 * composer; the events carry a DataTransfer built in the page, as a browser's own would), their
 * chips, a sent message's files, and a message's "‹ 2/3 ›".
 */
import { createHash } from "node:crypto";
import { expect, type Locator, type Page } from "@playwright/test";

/** A file as the test makes it: its bytes travel into the page as base64. */
export interface TestFile {
  name: string;
  type: string;
  bytes: Buffer;
}

/** A real 1×1 PNG (the server sniffs the bytes, not the name). */
export const PNG_1X1 = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

/** What the fake model says of an image it was given (test/support/fake-openai.ts, filesSummary). */
export function fakeSeesFile(file: TestFile): string {
  return `${file.type}, ${file.bytes.length} bytes, sha256 ${createHash("sha256").update(file.bytes).digest("hex").slice(0, 12)}`;
}

/** "1.2 kB" as the app writes sizes (client/uploads.ts formatBytes). */
export function shownSize(n: number): string {
  if (n < 1000) return `${n} B`;
  const kb = n / 1000;
  return kb < 10 ? `${kb.toFixed(1)} kB` : `${Math.round(kb)} kB`;
}

type Wire = { name: string; type: string; base64: string };
const wire = (files: TestFile[]): Wire[] => files.map((f) => ({ name: f.name, type: f.type, base64: f.bytes.toString("base64") }));

export class ChatFiles {
  readonly page: Page;
  readonly attachButton: Locator;
  readonly dropOverlay: Locator;
  /** The composer's chips, one per file given to it. */
  readonly chips: Locator;
  readonly sendButton: Locator;

  constructor(page: Page) {
    this.page = page;
    this.attachButton = page.getByRole("button", { name: "Attach files" });
    this.dropOverlay = page.getByTestId("drop-overlay");
    this.chips = page.getByRole("list", { name: "Files to send" }).getByTestId("upload-chip");
    this.sendButton = page.getByRole("button", { name: "Send message" });
  }

  chip(name: string): Locator {
    return this.chips.filter({ has: this.page.locator(".attach-name", { hasText: name }) });
  }

  removeButton(name: string): Locator {
    return this.page.getByRole("button", { name: `Remove ${name}`, exact: true });
  }

  /**
   * Drags files over the chat (or `target`: the new-chat screen has no conversation yet) and
   * drops them: dragenter (the overlay shows, checked here), dragover, drop, as a browser fires them.
   */
  async drop(files: TestFile[], target: Locator = this.page.locator(".messages-scroll")): Promise<void> {
    const dataTransfer = await this.page.evaluateHandle((list: Wire[]) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      return dt;
    }, wire(files));
    await target.dispatchEvent("dragenter", { dataTransfer });
    await expect(this.dropOverlay).toBeVisible();
    await expect(this.dropOverlay).toContainText("Drop files to attach them");
    await target.dispatchEvent("dragover", { dataTransfer });
    await target.dispatchEvent("drop", { dataTransfer });
    await expect(this.dropOverlay).toBeHidden();
  }

  /** Pastes files into the composer (a ClipboardEvent carrying them, as a copied screenshot). */
  async paste(files: TestFile[], composer: Locator): Promise<void> {
    await composer.focus();
    await composer.evaluate((el, list: Wire[]) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
    }, wire(files));
  }

  /** Picks files with the paperclip's file chooser. */
  async pick(files: TestFile[]): Promise<void> {
    const chooser = this.page.waitForEvent("filechooser");
    await this.attachButton.click();
    await (await chooser).setFiles(files.map((f) => ({ name: f.name, mimeType: f.type, buffer: f.bytes })));
  }

  /** Waits until every chip's upload is done (its progress bar gone). */
  async uploaded(count: number): Promise<void> {
    await expect(this.chips).toHaveCount(count);
    for (let i = 0; i < count; i++) await expect(this.chips.nth(i)).toHaveAttribute("data-status", "done");
    await expect(this.page.getByRole("progressbar")).toHaveCount(0);
  }

  /** A sent message's images (links to the file, each an image named by the file). */
  images(message: Locator): Locator {
    return message.getByRole("list", { name: "Images" }).getByRole("link");
  }

  /** A sent message's other files (links with the name and size). */
  fileLinks(message: Locator): Locator {
    return message.getByRole("list", { name: "Files" }).getByRole("link");
  }
}

/** The "‹ 2/3 ›" of one message. */
export class Versions {
  readonly group: Locator;
  readonly previous: Locator;
  readonly next: Locator;
  /** "2/3". */
  readonly count: Locator;

  constructor(message: Locator) {
    this.group = message.getByRole("group", { name: "Versions" });
    this.previous = this.group.getByRole("button", { name: "Previous version" });
    this.next = this.group.getByRole("button", { name: "Next version" });
    this.count = this.group.getByTestId("version-count");
  }
}
