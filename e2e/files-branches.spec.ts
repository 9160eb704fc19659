/**
 * Files and branches in the browser (docs/design.md §3.12, §3.13): files attached by drag and
 * drop and by paste, uploaded at once with progress on their chips, sent, shown in the message
 * and read by a model that takes images (the fake answers with what only the bytes tell); the
 * server's refusal on a chip, and a note under the answer of a model that cannot see images; and "‹ 2/3 ›" switching the conversation in one tab while a
 * second tab follows through its polls; and files given on the new-chat screen, sent with the
 * first message into the chat it creates.
 */
import { expect, test } from "@playwright/test";
import { ChatPage } from "./pages/chat-page";
import { ChatFiles, PNG_1X1, Versions, fakeSeesFile, shownSize, type TestFile } from "./pages/files";
import { DESKTOP, PHONE, expectAccessible } from "./pages/screens";

test.describe.configure({ timeout: 120_000 });

const image: TestFile = { name: "pixel.png", type: "image/png", bytes: PNG_1X1 };
const notes: TestFile = { name: "notes.md", type: "text/markdown", bytes: Buffer.from("# Notes\n\nThe launch is on Friday.\n") };

test("files dropped on the chat and pasted into the composer upload at once, go with the message, and a vision model reads the image", async ({ page }) => {
  const chat = new ChatPage(page);
  const files = new ChatFiles(page);
  await ChatPage.signUp(page);
  const chatUuid = await chat.startChat(`Hello [[fake text="ready"]]`);
  await chat.waitForAnswer();
  // The test stack's model that reads images (test/support/app-server.ts: IMAGE_MODELS).
  await chat.modelPicker.selectOption("compatible:fake-vision");
  await expect.poll(async () => ((await (await page.request.get(`/chat/${chatUuid}/messages`)).json()) as { chat: { model: string } }).chat.model).toBe("compatible:fake-vision");

  // Dropped anywhere on the chat: the overlay says what will happen, then a chip with a thumbnail.
  await files.drop([image]);
  await expect(files.chip(image.name)).toBeVisible();
  await expect(files.chip(image.name).locator("img")).toBeVisible();
  // Pasted into the composer: a chip with the name and size.
  await files.paste([notes], chat.composer);
  await expect(files.chip(notes.name)).toContainText(shownSize(notes.bytes.length));
  // Each uploaded at once: the progress bars finish and leave.
  await files.uploaded(2);
  await expectAccessible(page, "the composer with two files");
  await chat.screenshot("files-composer-chips");
  // On a phone too: the chips fit, and each × is a 44 px target.
  await page.setViewportSize(PHONE);
  const remove = (await files.removeButton(image.name).boundingBox())!;
  expect(remove.width).toBeGreaterThanOrEqual(44);
  expect(remove.height).toBeGreaterThanOrEqual(44);
  await expectAccessible(page, "the composer with two files, on a phone");
  await chat.screenshot("files-composer-chips-phone");
  await page.setViewportSize(DESKTOP);

  // The uploads are the server's now, unsent: named in no message yet.
  expect((await chat.storedMessages(chatUuid)).length).toBe(2);

  await chat.send(`What is in these? [[fake text="Seen: {{files}}"]]`);
  await expect(files.chips).toHaveCount(0);
  const question = chat.questions.last();
  await expect(files.images(question)).toHaveCount(1);
  await expect(files.images(question).getByRole("img", { name: image.name })).toBeVisible();
  await expect(files.fileLinks(question)).toHaveCount(1);
  await expect(files.fileLinks(question)).toContainText(notes.name);
  await expect(files.fileLinks(question)).toContainText(shownSize(notes.bytes.length));

  // The fake model took the image's bytes: its media type, length and hash come back.
  const answer = await chat.waitForAnswer();
  await expect(chat.contentOf(answer)).toHaveText(`Seen: ${fakeSeesFile(image)}`);

  // The links open the files themselves, for this member.
  const imageHref = await files.images(question).getAttribute("href");
  const served = await page.request.get(imageHref!);
  expect(served.status()).toBe(200);
  expect(served.headers()["content-type"]).toBe("image/png");
  expect(Buffer.from(await served.body()).equals(PNG_1X1)).toBe(true);
  const textHref = await files.fileLinks(question).getAttribute("href");
  expect(await (await page.request.get(textHref!)).text()).toBe(notes.bytes.toString());
  await expectAccessible(page, "a message with an image and a file, and its answer");
  await chat.screenshot("files-sent-and-answered");
});

test("on the new-chat screen, a dropped and a pasted file upload before the chat exists and go with the first message into the chat it creates", async ({ page }) => {
  const chat = new ChatPage(page);
  const files = new ChatFiles(page);
  await ChatPage.signUp(page);
  await chat.gotoNew();
  await chat.modelPicker.selectOption("compatible:fake-vision");
  await files.drop([image], page.locator(".new-chat-body"));
  await expect(files.chip(image.name).locator("img")).toBeVisible();
  await files.paste([notes], chat.composer);
  await files.uploaded(2);
  // Uploaded to no chat: none was created for them.
  const listed = (await (await page.request.get("/chat/list")).json()) as { chats: unknown[] };
  expect(listed.chats).toHaveLength(0);

  await chat.send(`What is in these? [[fake text="Seen: {{files}}"]]`);
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/, { timeout: 20_000 });
  const question = chat.questions.last();
  await expect(files.images(question).getByRole("img", { name: image.name })).toBeVisible();
  await expect(files.fileLinks(question)).toContainText(notes.name);
  const answer = await chat.waitForAnswer();
  await expect(chat.contentOf(answer)).toHaveText(`Seen: ${fakeSeesFile(image)}`);

  // The chat's own: after a reload they come from the server, and the links serve them.
  await page.reload();
  const stored = chat.questions.last();
  await expect(files.images(stored)).toHaveCount(1);
  await expect(files.fileLinks(stored)).toContainText(notes.name);
  const served = await page.request.get((await files.images(stored).getAttribute("href"))!);
  expect(served.status()).toBe(200);
  expect(Buffer.from(await served.body()).equals(PNG_1X1)).toBe(true);
  // The new-chat screen starts empty again.
  await chat.gotoNew();
  await expect(files.chips).toHaveCount(0);
});

test("a message may be files alone; Send waits for an upload on its way; the server's refusal shows on the chip, and × removes it; a model that cannot see images says so", async ({ page }) => {
  const chat = new ChatPage(page);
  const files = new ChatFiles(page);
  await ChatPage.signUp(page);
  await chat.startChat(`Hello [[fake text="ready"]]`);
  await chat.waitForAnswer();

  // Bytes that are no image, PDF or text (a NUL, invalid UTF-8): 415, whatever the name says.
  const binary: TestFile = { name: "tool.png", type: "image/png", bytes: Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0xff, 0xfe, 0x00, 0x01]) };
  await files.pick([binary]);
  const refused = files.chip(binary.name);
  await expect(refused).toHaveAttribute("data-status", "failed");
  await expect(refused.getByRole("alert")).not.toBeEmpty();
  // A refused file alone is nothing to send.
  await expect(files.sendButton).toBeDisabled();
  await files.removeButton(binary.name).click();
  await expect(files.chips).toHaveCount(0);

  // The upload is held back until Send is pressed: the message waits for it.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/chat\/[0-9a-f-]{36}\/attachments$/, async (route) => {
    await held;
    await route.continue();
  });
  await files.drop([image]);
  await expect(files.chip(image.name)).toHaveAttribute("data-status", "uploading");
  await expect(files.sendButton).toBeEnabled();
  const sends: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().endsWith("/send")) sends.push(r.url());
  });
  const before = await chat.questions.count();
  await files.sendButton.click();
  await expect(page.getByRole("status").filter({ hasText: "Sending when the files are uploaded" })).toBeVisible();
  expect(sends).toEqual([]);
  await expect(chat.questions).toHaveCount(before);
  release();
  await expect(chat.questions).toHaveCount(before + 1);
  expect(sends).toHaveLength(1);
  const question = chat.questions.last();
  await expect(files.images(question)).toHaveCount(1);
  // No text: no empty bubble.
  await expect(chat.contentOf(question)).toHaveCount(0);
  // The chat's model (compatible:fake-model) reads no images: it was not given the bytes, and the
  // answer says so in a note under it.
  const answer = await chat.waitForAnswer();
  await expect(chat.contentOf(answer)).not.toContainText("Files:");
  await expect(answer.getByTestId("answer-note")).toHaveText(new RegExp(`^${image.name.replace(".", "\\.")} was not given to the model`));
  await expectAccessible(page, "an answer with a note");
});

test("switching versions in one tab: the other tab follows, with the list replaced, not added to", async ({ page }) => {
  const a = new ChatPage(page);
  await ChatPage.signUp(page);
  const chatUuid = await a.startChat(`First question [[fake text="Answer one"]]`);
  await expect(a.contentOf(await a.waitForAnswer())).toHaveText("Answer one");

  // A second tab of the same person on the same chat.
  const pageB = await page.context().newPage();
  const b = new ChatPage(pageB);
  await pageB.goto(`/chat/${chatUuid}`);
  await expect(b.contentOf(b.lastAnswer())).toHaveText("Answer one");

  // Tab A edits the question: version 2 of it, answered anew.
  const question = a.questions.first();
  await question.hover();
  await question.getByRole("button", { name: "Edit message" }).click();
  const edit = page.getByRole("textbox", { name: "Edit message" });
  await edit.fill(`Second question [[fake text="Answer two"]]`);
  await edit.press("Enter");
  await expect(a.contentOf(await a.waitForAnswer())).toHaveText("Answer two");
  const versionsA = new Versions(a.questions.first());
  await expect(versionsA.count).toHaveText("2/2");
  await expect(versionsA.next).toBeDisabled();
  await expect(versionsA.previous).toBeEnabled();
  await expectAccessible(page, "a question with two versions");
  await a.screenshot("branches-question-versions");

  // Tab B follows the edit through its polls.
  await expect(b.contentOf(b.lastAnswer())).toHaveText("Answer two");
  await expect(new Versions(b.questions.first()).count).toHaveText("2/2");

  // Tab A goes back to the first version: the conversation below it comes back.
  await versionsA.previous.click();
  await expect(versionsA.count).toHaveText("1/2");
  await expect(versionsA.previous).toBeDisabled();
  await expect(a.contentOf(a.questions.first())).toHaveText(`First question [[fake text="Answer one"]]`);
  await expect(a.contentOf(a.lastAnswer())).toHaveText("Answer one");
  await expect(page.locator("article.msg[data-message-uuid]")).toHaveCount(2);

  // Tab B shows the same branch, and only it.
  await expect(b.contentOf(b.questions.first())).toHaveText(`First question [[fake text="Answer one"]]`);
  await expect(b.contentOf(b.lastAnswer())).toHaveText("Answer one");
  await expect(new Versions(b.questions.first()).count).toHaveText("1/2");
  await expect(pageB.locator("article.msg[data-message-uuid]")).toHaveCount(2);

  // Regenerating the answer makes versions of the answer; stepping between them, B follows again.
  const firstAnswer = await a.lastAnswer().getAttribute("data-message-uuid");
  await a.lastAnswer().hover();
  await a.lastAnswer().getByRole("button", { name: "Regenerate answer" }).click();
  await a.waitForAnswer();
  const answerVersionsA = new Versions(a.lastAnswer());
  await expect(answerVersionsA.count).toHaveText("2/2");
  await expect(a.lastAnswer()).not.toHaveAttribute("data-message-uuid", firstAnswer!);
  await expect(new Versions(b.lastAnswer()).count).toHaveText("2/2");
  await answerVersionsA.previous.click();
  await expect(answerVersionsA.count).toHaveText("1/2");
  await expect(a.lastAnswer()).toHaveAttribute("data-message-uuid", firstAnswer!);
  await expect(b.lastAnswer()).toHaveAttribute("data-message-uuid", firstAnswer!);
  await expect(a.contentOf(a.lastAnswer())).toHaveText("Answer one");
  await expect(new Versions(b.lastAnswer()).count).toHaveText("1/2");
  await expect(pageB.locator("article.msg[data-message-uuid]")).toHaveCount(2);
  // The stored active branch is what both show.
  expect((await a.storedMessages(chatUuid)).map((m) => m.content)).toEqual([`First question [[fake text="Answer one"]]`, "Answer one"]);
});
