import { randomBytes } from "node:crypto";
import { expect, type Locator, type Page } from "@playwright/test";

/**
 * /lite: the htmx client. A "New chat" button, then one chat block: messages (each with a
 * role, a status and its text), an alert line and the composer.
 */
export class LitePage {
  readonly page: Page;
  readonly newChatButton: Locator;
  readonly chat: Locator;
  readonly messages: Locator;
  readonly input: Locator;
  readonly sendButton: Locator;
  readonly alert: Locator;

  constructor(page: Page) {
    this.page = page;
    this.newChatButton = page.getByRole("button", { name: "New chat" });
    this.chat = page.locator("#chat-area .chat");
    this.messages = this.chat.locator("article.msg");
    this.input = this.chat.getByRole("textbox", { name: "Message" });
    this.sendButton = this.chat.getByRole("button", { name: "Send" });
    this.alert = this.chat.locator(".alert");
  }

  /**
   * A new user, signed in through the API (register, then Auth.js credentials): the browser
   * context gets the session cookie.
   */
  async signUp(): Promise<{ email: string; password: string }> {
    const id = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
    const user = { name: `Lite ${id}`, email: `lite-${id}@example.test`, password: `pw-${randomBytes(6).toString("hex")}` };
    const req = this.page.request;
    const reg = await req.post("/api/register", { data: user });
    expect(reg.status(), await reg.text()).toBe(201);
    const { csrfToken } = (await (await req.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const res = await req.post("/api/auth/callback/credentials", {
      form: { csrfToken, email: user.email, password: user.password },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(302);
    return user;
  }

  async goto(path = "/lite"): Promise<void> {
    await this.page.goto(path);
    await expect(this.newChatButton).toBeVisible();
  }

  /** Creates a chat and answers its uuid (the page puts it in the URL). */
  async newChat(): Promise<string> {
    await this.newChatButton.click();
    await expect(this.chat).toBeVisible();
    await expect(this.input).toBeFocused();
    const uuid = await this.chat.getAttribute("data-chat-uuid");
    expect(uuid).toBeTruthy();
    await expect(this.page).toHaveURL(`/lite?chat=${uuid}`);
    return uuid!;
  }

  /** Types a message and sends it with Enter. */
  async send(text: string): Promise<void> {
    await this.input.fill(text);
    await this.input.press("Enter");
  }

  message(n: number): Message {
    return new Message(this.messages.nth(n));
  }

  assistant(n: number): Message {
    return new Message(this.chat.locator("article.msg-assistant").nth(n));
  }

  user(n: number): Message {
    return new Message(this.chat.locator("article.msg-user").nth(n));
  }
}

export class Message {
  readonly root: Locator;
  readonly content: Locator;
  readonly status: Locator;
  readonly error: Locator;
  readonly stopButton: Locator;

  constructor(root: Locator) {
    this.root = root;
    this.content = root.locator(".msg-content");
    this.status = root.locator(".msg-status");
    this.error = root.locator(".msg-error");
    this.stopButton = root.getByRole("button", { name: "Stop" });
  }

  async expectStatus(status: "pending" | "completed" | "failed" | "cancelled", timeout?: number): Promise<void> {
    await expect(this.status).toHaveAttribute("data-status", status, { timeout });
  }

  /** The text exactly as shown (the pollers inside are empty). */
  async text(): Promise<string> {
    return (await this.content.textContent()) ?? "";
  }
}
