/**
 * Answers in parts (docs/design.md §3.11) as a person sees them in the chat: a Thinking block
 * that streams open and folds away as "Thought for N s", a tool card with its input, output
 * and status, and a tool that waits for a member's approval, clicked by a second person in
 * their own browser. The fake model (test/support/fake-openai.ts) thinks and calls tools when
 * its directive says so; e2e/serve.mjs turns reasoning on for every model and runs the MCP
 * server "everything" over stdio, whose get-sum needs approval. Screenshots at phone and
 * desktop width under test-results/screenshots/parts-*, and axe (WCAG 2.2 AA) on them.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ChatPage, directiveJson, person, SCREENSHOT_DIR } from "./pages/chat-page";
import { DESKTOP, PHONE, expectAccessible } from "./pages/screens";

test.describe.configure({ timeout: 120_000 });

// Long enough to be seen while it streams at 4 characters, 25 times a second (about 6.5 s).
const REASONING =
  "First I look at what is asked: the distance from the Earth to the Moon. " +
  "It changes over a month, because the orbit is an ellipse, so one number is an average. " +
  "The mean distance is about 384,400 km; at perigee it is near 363,300 km and at apogee near 405,500 km. " +
  "Light covers it in a little over a second. I will give the mean and say that it varies, " +
  "then round it so that it is easy to remember, and mention the laser ranging that measures it. " +
  "The reflectors left by the Apollo crews let observatories time a pulse there and back to millimetres, " +
  "which is also how we know that the Moon drifts away by about 3.8 cm every year. That is a nice closing fact.";
const FIRST_WORDS = "First I look at what is asked";

test("thinking streams open, folds away as 'Thought for N s' once the answer starts, and stays folded after a reload", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  const answerText = "About 384,400 km on average; it varies between roughly 363,000 and 405,000 km.";
  await chat.startChat(`How far is the Moon? [[fake reasoning="${REASONING}" text="${answerText}" chunk=4 tps=25]]`);
  const parts = chat.partsOf();
  const block = parts.reasoning.first();
  const toggle = parts.reasoningToggle(block);
  const thinking = parts.reasoningText(block);

  // While it thinks: one block, open, labelled Thinking, its text growing; no answer text yet.
  await expect(block).toBeVisible({ timeout: 20_000 });
  await expect(toggle).toHaveText("Thinking");
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await expect(thinking).toBeVisible();
  await expect(thinking).toContainText(FIRST_WORDS);
  const early = (await thinking.textContent())!.length;
  expect(early).toBeLessThan(REASONING.length);
  await expect.poll(async () => (await thinking.textContent())!.length).toBeGreaterThan(early);
  await expect(parts.text).toHaveCount(0);

  // The answer starts: the block folds away under how long it thought.
  await expect(parts.text.first()).toContainText("About 384", { timeout: 30_000 });
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(toggle).toHaveText(/^Thought for \d+ s$/);
  await expect(thinking).toBeHidden();
  await expect(parts.reasoning).toHaveCount(1);
  const label = (await toggle.textContent())!;
  // About 6.5 s of thinking at this pace, more on a busy machine.
  expect(Number(/\d+/.exec(label)![0])).toBeGreaterThanOrEqual(5);

  // A click shows the reasoning again, all of it; another folds it.
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await expect(thinking).toBeVisible();
  await expect(thinking).toHaveText(REASONING);
  const answer = await chat.waitForAnswer("completed", 30_000);
  await expect(parts.text).toHaveText([answerText]);
  // The reader's choice holds once the answer is done.
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await toggle.click();
  await expect(thinking).toBeHidden();

  // After a reload: folded, with the same label, and it opens on a click.
  await page.reload();
  const again = chat.partsOf(page.locator(`[data-message-uuid="${await answer.getAttribute("data-message-uuid")}"]`));
  await expect(again.reasoningToggle()).toHaveText(label);
  await expect(again.reasoningToggle()).toHaveAttribute("aria-expanded", "false");
  await expect(again.reasoningText()).toBeHidden();
  await expect(again.text).toHaveText([answerText]);
  await again.reasoningToggle().click();
  await expect(again.reasoningText()).toHaveText(REASONING);
});

test("a tool call shows its input, output and status; thinking and a tool card read well at phone and desktop width", async ({ page }) => {
  await ChatPage.signUp(page);
  const chat = new ChatPage(page);
  await chat.startChat(
    `What is 6 times 7? [[fake reasoning="Multiplication: I will let the calculator do it." tool=calculator tool_input=${directiveJson({ expression: "6*7" })} text="The result is {{tool_output}}."]]`,
  );
  const answer = await chat.waitForAnswer("completed", 30_000);
  const parts = chat.partsOf(answer);
  await expect(parts.tools).toHaveCount(1);
  const calc = parts.tool("calculator");
  await expect(calc.card).toBeVisible();
  await expect(calc.status).toHaveText("Done");
  await expect(calc.input).toContainText("6*7");
  // The calculator answers {expression, result}: shown as indented JSON, and given as is to the
  // model (the fake puts it verbatim where {{tool_output}} is).
  await expect(calc.output).toContainText('"result": 42');
  await expect(calc.allow).toHaveCount(0);
  await expect(parts.text.last()).toContainText("The result is");
  await expect(parts.text.last()).toContainText("42");
  // Each step of the turn thinks (before the call and before the answer): both folded.
  await expect(parts.reasoning).toHaveCount(2);
  for (const toggle of await parts.reasoning.getByRole("button").all()) {
    await expect(toggle).toHaveAttribute("aria-expanded", "false");
    await expect(toggle).toHaveText(/^Thought for \d+ s$/);
  }

  // One block opened, so that the screenshots and axe see its text too.
  await parts.reasoningToggle().click();
  await expect(parts.reasoningText()).toHaveText("Multiplication: I will let the calculator do it.");
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const [label, size] of [["phone", PHONE], ["desktop", DESKTOP]] as const) {
    await page.setViewportSize(size);
    // The answer from its top: thinking, then the card (and on a desktop, what follows).
    await answer.evaluate((el) => el.scrollIntoView({ block: "start" }));
    await expect(parts.reasoning.first()).toBeInViewport();
    await expect(calc.card).toBeInViewport();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `parts-tool-thinking-${label}.png`), animations: "disabled" });
    await expectAccessible(page, `an answer with thinking and a tool card (${label})`);
    // No part of the answer is wider than the screen.
    const overflow = await answer.evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow, `${label}: the answer scrolls sideways`).toBeLessThanOrEqual(0);
  }
});

test("a tool that needs approval waits for a member: another editor allows it in their browser, a viewer cannot", async ({ browser }) => {
  const alice = await person(browser);
  const bob = await person(browser);
  const vera = await person(browser);
  try {
    const uuid = await alice.chat.startChat(`Sums [[fake text="Ready."]]`);
    await alice.chat.waitForAnswer();
    const editorLink = await alice.chat.createInviteLink("editor");
    const viewerLink = await alice.chat.createInviteLink("viewer");
    await bob.chat.joinByLink(editorLink, uuid);
    await vera.chat.joinByLink(viewerLink, uuid);
    await expect(vera.page.getByRole("note")).toContainText("You can read this chat");

    await alice.chat.send(`Add them [[fake tool=everything_get-sum tool_input=${directiveJson({ a: 2, b: 40 })} text="The sum: {{tool_output}}"]]`);

    // Everyone sees the call waiting, with its input; the editors may decide, the viewer may not.
    const bobCard = bob.chat.partsOf().tool("everything_get-sum");
    const veraCard = vera.chat.partsOf().tool("everything_get-sum");
    const aliceCard = alice.chat.partsOf().tool("everything_get-sum");
    await expect(bobCard.status).toHaveText("Waiting for approval", { timeout: 30_000 });
    await expect(bobCard.input).toContainText('"b": 40');
    await expect(bob.page.getByRole("group", { name: "Run everything_get-sum?" })).toBeVisible();
    await expect(bobCard.allow).toBeEnabled();
    await expect(bobCard.deny).toBeEnabled();
    await expect(aliceCard.status).toHaveText("Waiting for approval");
    await expect(aliceCard.allow).toBeVisible();
    await expect(veraCard.status).toHaveText("Waiting for approval");
    await expect(veraCard.card.getByRole("button")).toHaveCount(0);
    // It waits: nothing runs and no answer text comes until someone decides.
    await expect(alice.chat.lastAnswer()).toHaveAttribute("data-status", "pending");
    await expect(bobCard.output).toHaveCount(0);

    await bobCard.allow.click();

    for (const [who, card, chat] of [
      ["Bob", bobCard, bob.chat],
      ["Alice", aliceCard, alice.chat],
      ["Vera", veraCard, vera.chat],
    ] as const) {
      await expect(card.status, who).toHaveText("Done", { timeout: 30_000 });
      await expect(card.decision, who).toHaveText(`Allowed by ${bob.user.name}`);
      await expect(card.output, who).toContainText("42");
      await expect(card.allow, who).toHaveCount(0);
      await chat.waitForAnswer("completed", 30_000);
      await expect(chat.partsOf().text.last(), who).toContainText("The sum:");
      await expect(chat.partsOf().text.last(), who).toContainText("42");
    }
  } finally {
    await alice.close();
    await bob.close();
    await vera.close();
  }
});
