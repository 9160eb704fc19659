import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, type Browser, type BrowserContext, type Locator, type Page, type Route } from "@playwright/test";
import { SignInPage } from "./signin-page";
import { SignUpPage } from "./signup-page";

export interface TestUser {
  name: string;
  email: string;
  password: string;
}

export function newUser(): TestUser {
  const id = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  return { name: `Ada ${id}`, email: `chat-${id}@example.test`, password: `pw-${randomBytes(6).toString("hex")}` };
}

export const SCREENSHOT_DIR = path.join(import.meta.dirname, "..", "..", "test-results", "screenshots");

/** A fake-model directive (test/support/fake-openai.ts) that streams `text` slowly. */
export function slowAnswer(text: string, opts: { repeat?: number; chunk?: number; delay?: number } = {}): string {
  return `[[fake text="${text}" repeat=${opts.repeat ?? 1} chunk=${opts.chunk ?? 6} delay=${opts.delay ?? 40}]]`;
}

/**
 * A JSON value as a fake-model directive's double-quoted value, its quotes escaped (the fake
 * reads no single quotes): `tool_input=${directiveJson({ a: 1 })}` → tool_input="{\"a\":1}".
 */
export function directiveJson(value: unknown): string {
  return `"${JSON.stringify(value).replaceAll('"', '\\"')}"`;
}

/**
 * What a person sees of one answer in parts (components/chat/message-parts.tsx): its Thinking
 * blocks, its tool cards and the stretches of its text.
 */
export class AnswerParts {
  readonly answer: Locator;
  /** Every reasoning block, in order (each step of a turn with tools thinks anew). */
  readonly reasoning: Locator;
  readonly tools: Locator;
  /** The stretches of the answer's own text (Markdown). */
  readonly text: Locator;

  constructor(answer: Locator) {
    this.answer = answer;
    this.reasoning = answer.getByTestId("reasoning");
    this.tools = answer.getByTestId("tool-call");
    this.text = answer.getByTestId("message-text");
  }

  /** The button that opens and folds a reasoning block; its name is its label ("Thinking", "Thought for 3 s"). */
  reasoningToggle(block: Locator = this.reasoning.first()): Locator {
    return block.getByRole("button");
  }

  /** The reasoning's text (hidden while the block is folded). */
  reasoningText(block: Locator = this.reasoning.first()): Locator {
    return block.locator(".part-reasoning-text");
  }

  /** A tool card by the tool's exact name. */
  tool(name: string): ToolCard {
    return new ToolCard(this.tools.filter({ has: this.answer.page().locator(".part-tool-name", { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) }));
  }
}

export class ToolCard {
  readonly card: Locator;
  readonly status: Locator;
  readonly input: Locator;
  readonly output: Locator;
  /** "Allowed by …" / "Denied by …". */
  readonly decision: Locator;
  readonly allow: Locator;
  readonly deny: Locator;

  constructor(card: Locator) {
    this.card = card;
    this.status = card.locator(".part-tool-status");
    this.input = card.getByLabel("Input", { exact: true });
    this.output = card.getByLabel("Output", { exact: true });
    this.decision = card.locator(".part-tool-decision");
    this.allow = card.getByRole("button", { name: "Allow" });
    this.deny = card.getByRole("button", { name: "Deny" });
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The chat app (/chat and /chat/{uuid}): sidebar, conversation, composer. */
export class ChatPage {
  readonly page: Page;
  readonly composer: Locator;
  readonly sendButton: Locator;
  readonly stopButton: Locator;
  readonly sidebar: Locator;
  readonly search: Locator;
  readonly newChatButton: Locator;
  readonly modelPicker: Locator;
  readonly offlineBadge: Locator;
  readonly notice: Locator;
  readonly title: Locator;
  readonly answers: Locator;
  readonly questions: Locator;

  constructor(page: Page) {
    this.page = page;
    this.composer = page.getByRole("textbox", { name: "Message", exact: true });
    this.sendButton = page.getByRole("button", { name: "Send message" });
    this.stopButton = page.getByRole("button", { name: "Stop generating" });
    this.sidebar = page.getByRole("complementary", { name: "Chats" });
    this.search = page.getByRole("searchbox", { name: "Search chats" });
    this.newChatButton = this.sidebar.getByRole("button", { name: "New chat", exact: true });
    this.modelPicker = page.getByRole("combobox", { name: "Model" });
    this.offlineBadge = page.getByTestId("offline-badge");
    this.notice = page.locator(".composer-notice");
    this.title = page.locator(".chat-title");
    this.answers = page.locator("article.msg-assistant[data-message-uuid]");
    this.questions = page.locator("article.msg-user");
  }

  static async signUp(page: Page, user: TestUser = newUser()): Promise<TestUser> {
    const signUp = new SignUpPage(page);
    await signUp.goto();
    await signUp.signUp(user);
    await expect(page).toHaveURL(/\/chat$/);
    return user;
  }

  /** A second browser (its own cookies) signed in as the same user. */
  static async signInElsewhere(browser: Browser, user: TestUser): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const signIn = new SignInPage(page);
    await signIn.goto();
    await signIn.signIn(user.email, user.password);
    await expect(page).toHaveURL(/\/chat$/);
    return { context, page };
  }

  async gotoNew(): Promise<void> {
    await this.page.goto("/chat");
    await expect(this.page.getByRole("radiogroup", { name: "Agent" })).toBeVisible();
  }

  async pickAgent(name: string): Promise<void> {
    const card = this.page.getByRole("radio", { name: new RegExp(`^${name}`) });
    await card.click();
    await expect(card).toHaveAttribute("aria-checked", "true");
  }

  /** Types and presses Enter. */
  async send(text: string): Promise<void> {
    await this.composer.fill(text);
    await this.composer.press("Enter");
  }

  /** Starts a chat from /chat with a first message; resolves with the chat's uuid once the URL has it. */
  async startChat(text: string, agent?: string): Promise<string> {
    await this.gotoNew();
    if (agent) await this.pickAgent(agent);
    await this.send(text);
    await expect(this.page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/, { timeout: 20_000 });
    return this.chatUuid();
  }

  /**
   * Writes in the composer until `seen` passes: a person typing for as long as it takes the
   * others to notice. A draft counts as "typing" for 8 s after its last edit (client/drafts.ts),
   * so one fill could expire before a slow machine shows it to anyone; every round edits the
   * draft again (the text alternates so that each fill is an edit). `seen` should retry for a
   * few seconds (a short expect timeout): that is the pace of the rounds, not a deadline.
   */
  async typeUntil(text: string, seen: () => Promise<void>, timeout = 90_000): Promise<void> {
    let round = 0;
    await expect(async () => {
      await this.composer.fill(round++ % 2 === 0 ? text : `${text} `);
      await seen();
    }).toPass({ timeout, intervals: [0] });
  }

  /**
   * Holds this page's message and token polls until the returned function is called: until
   * then the page shows only what it knew before, whatever the server has (so a check of
   * "before the first token" does not race the model). The held polls then go through.
   */
  async holdPolls(): Promise<() => Promise<void>> {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const polls = /\/chat\/(message\/[^/]+\/tokens\/\d+|[0-9a-f-]{36}\/messages(\/[0-9a-f-]{36})?)(\?.*)?$/;
    const hold = async (route: Route) => {
      await gate;
      await route.continue().catch(() => {});
    };
    await this.page.route(polls, hold);
    return async () => {
      open();
      await this.page.unroute(polls, hold);
    };
  }

  chatUuid(): string {
    return new URL(this.page.url()).pathname.split("/").pop()!;
  }

  lastAnswer(): Locator {
    return this.answers.last();
  }

  contentOf(message: Locator): Locator {
    return message.getByTestId("message-content");
  }

  /** An answer's reasoning, tool cards and text, when it has parts. */
  partsOf(message: Locator = this.lastAnswer()): AnswerParts {
    return new AnswerParts(message);
  }

  /**
   * Invites by a link (the "People in this chat" dialog): an editor (may write) or a viewer.
   * Leaves the dialog closed and returns the link.
   */
  async createInviteLink(role: "editor" | "viewer"): Promise<string> {
    await this.page.getByRole("button", { name: "Invite people" }).click();
    const dialog = this.page.getByRole("dialog", { name: "People in this chat" });
    await dialog.getByRole("combobox", { name: "Role for people joining by the link" }).selectOption(role);
    await dialog.getByRole("button", { name: "Create link" }).click();
    const box = dialog.getByRole("textbox", { name: /New link/ });
    await expect(box).toHaveValue(/\/invite\/[A-Za-z0-9_-]{43}$/);
    const link = await box.inputValue();
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect(dialog).toBeHidden();
    return link;
  }

  /** Opens an invite link and joins: lands in the chat. */
  async joinByLink(link: string, chatUuid: string): Promise<void> {
    await this.page.goto(link);
    await this.page.getByRole("button", { name: "Join the chat" }).click();
    await expect(this.page).toHaveURL(new RegExp(`/chat/${chatUuid}$`));
  }

  async waitForAnswer(status: "completed" | "failed" | "cancelled" = "completed", timeout = 20_000): Promise<Locator> {
    const answer = this.lastAnswer();
    await expect(answer).toHaveAttribute("data-status", status, { timeout });
    // Text of the last poll is revealed over ~300 ms; wait until all of it shows (in an answer
    // with parts, its last stretch of text).
    if (status !== "failed") await expect(answer.locator('[data-testid="message-content"], [data-testid="message-text"]').last()).not.toHaveClass(/streaming/);
    return answer;
  }

  /** The stored messages, straight from the API (the browser's cookies). */
  async storedMessages(chatUuid = this.chatUuid()): Promise<{ uuid: string; role: string; content: string; status: string }[]> {
    const res = await this.page.request.get(`/chat/${chatUuid}/messages`);
    expect(res.status()).toBe(200);
    return ((await res.json()) as { messages: { uuid: string; role: string; content: string; status: string }[] }).messages;
  }

  /** A chat in the sidebar, by its exact title (or a pattern). */
  chatLink(title: string | RegExp): Locator {
    return this.sidebar.locator(".chat-link").filter(typeof title === "string" ? { hasText: new RegExp(`^${escapeRegExp(title)}$`) } : { hasText: title });
  }

  chatItems(): Locator {
    return this.sidebar.locator(".chat-item");
  }

  async openChatMenu(title: string): Promise<void> {
    await this.chatLink(title).hover();
    await this.sidebar.getByRole("button", { name: `Options for ${title}`, exact: true }).click();
  }

  async renameChat(from: string, to: string): Promise<void> {
    await this.openChatMenu(from);
    await this.page.getByRole("menuitem", { name: "Rename" }).click();
    const input = this.sidebar.getByRole("textbox", { name: "Chat title" });
    await input.fill(to);
    await input.press("Enter");
  }

  async deleteChat(title: string): Promise<void> {
    await this.openChatMenu(title);
    await this.page.getByRole("menuitem", { name: "Delete" }).click();
    const dialog = this.page.getByRole("dialog", { name: "Delete chat?" });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await expect(dialog).toBeHidden();
  }

  async screenshot(name: string): Promise<void> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    // Let reveal animations and pop-ins settle.
    await this.page.waitForTimeout(400);
    await this.page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
  }
}

/** Someone new in a browser context of their own, signed up, on the chat page (the specs with several people). */
export async function person(browser: Browser): Promise<{ page: Page; chat: ChatPage; user: TestUser; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const user = await ChatPage.signUp(page, newUser());
  return { page, chat: new ChatPage(page), user, close: () => context.close() };
}
