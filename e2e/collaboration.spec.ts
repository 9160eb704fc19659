/**
 * Two (and three) people in one chat with the model, each in their own browser: invites by
 * email and by link, each other's messages with names, the answer streaming for everyone,
 * presence and typing, turn taking (any editor stops the answer), unread markers, a viewer.
 */
import { expect, test } from "@playwright/test";
import { person, slowAnswer } from "./pages/chat-page";
import { followVerificationMail } from "./pages/mail";

test.describe.configure({ timeout: 120_000 });

test("two people chat with the model together: names, streaming, presence, typing, stop, unread", async ({ browser }) => {
  const alice = await person(browser);
  const bob = await person(browser);
  try {
    const uuid = await alice.chat.startChat(`Plan the trip [[fake text="first answer"]]`);
    await alice.chat.waitForAnswer();

    // Bob confirms his address from the mail he received: only then can he be invited by email.
    await followVerificationMail(bob.page, bob.user.email);
    await bob.chat.gotoNew();

    // Alice invites Bob by email: an invitation, not a membership.
    await alice.page.getByRole("button", { name: "Invite people" }).click();
    const dialog = alice.page.getByRole("dialog", { name: "People in this chat" });
    await dialog.getByRole("textbox", { name: "Email of the person to invite" }).fill(bob.user.email);
    await dialog.getByRole("button", { name: "Invite", exact: true }).click();
    await expect(dialog.getByRole("status")).toContainText(`Invitation sent to ${bob.user.name}`);
    await expect(dialog.getByTestId("member")).toHaveCount(1);
    await expect(dialog.getByRole("list", { name: "Pending invitations" })).toContainText(bob.user.email);
    // Every member sees what steers the answers.
    await expect(dialog.getByRole("region", { name: "Instructions the assistant follows" })).toContainText("Agent: Assistant");
    await dialog.getByRole("button", { name: "Close" }).click();

    // The invitation shows up in Bob's sidebar; he accepts it and lands in the chat, marked shared.
    const invitations = bob.page.getByRole("region", { name: "Invitations" });
    await expect(invitations).toContainText(`${alice.user.name} invites you`, { timeout: 15_000 });
    await invitations.getByRole("button", { name: "Accept" }).click();
    await expect(bob.page).toHaveURL(new RegExp(`/chat/${uuid}$`));
    await expect(invitations).toHaveCount(0);
    const bobItem = bob.chat.sidebar.locator(".chat-item").filter({ has: bob.page.locator(`a[href="/chat/${uuid}"]`) });
    await expect(bobItem).toContainText("shared", { timeout: 15_000 });
    await expect(bobItem.getByTestId("unread")).toHaveCount(0);

    // Bob sees Alice's words with her name, and the answer.
    const aliceQuestion = bob.chat.questions.first();
    await expect(aliceQuestion.getByTestId("message-author")).toHaveText(alice.user.name);
    await expect(bob.chat.contentOf(bob.chat.lastAnswer())).toHaveText("first answer");

    // Each sees the other here.
    await expect(alice.page.getByTestId("presence")).toHaveAttribute("aria-label", `Here now: ${bob.user.name}`, { timeout: 15_000 });
    await expect(bob.page.getByTestId("presence")).toHaveAttribute("aria-label", `Here now: ${alice.user.name}`, { timeout: 15_000 });

    // Bob writes (for as long as it takes): Alice sees him typing; he clears the box: it goes away.
    await bob.chat.typeUntil("thinking about it", () =>
      expect(alice.page.getByTestId("activity")).toHaveText(`${bob.user.name} is typing…`, { timeout: 4_000 }),
    );
    await bob.chat.composer.fill("");
    await expect(alice.page.getByTestId("activity")).toHaveText("", { timeout: 30_000 });

    // Bob asks; the answer streams for both; Alice, an editor too (the owner), stops it.
    await bob.chat.send(slowAnswer("Paris ", { repeat: 300, chunk: 6, delay: 60 }));
    const aliceSees = alice.chat.lastAnswer();
    await expect(alice.chat.questions.last().getByTestId("message-author")).toHaveText(bob.user.name);
    await expect(alice.chat.contentOf(aliceSees)).toContainText("Paris Paris Paris", { timeout: 20_000 });
    await expect(bob.chat.contentOf(bob.chat.lastAnswer())).toContainText("Paris Paris Paris");
    await expect(alice.page.getByTestId("activity")).toContainText(`Answering ${bob.user.name}`);
    await expect(bob.chat.questions.last().getByTestId("message-author")).toHaveText("You");
    await alice.chat.stopButton.click();
    await expect(aliceSees).toHaveAttribute("data-status", "cancelled");
    await expect(bob.chat.lastAnswer()).toHaveAttribute("data-status", "cancelled", { timeout: 15_000 });
    await expect(bob.chat.lastAnswer().getByText("Stopped")).toBeVisible();

    // Bob goes to another screen; Alice writes; Bob's sidebar marks the chat unread.
    await bob.chat.gotoNew();
    await expect(alice.page.getByTestId("presence")).toHaveCount(0, { timeout: 20_000 });
    await alice.chat.send(`one more thing [[fake text="noted"]]`);
    await alice.chat.waitForAnswer();
    await expect(bobItem.getByTestId("unread")).toBeVisible({ timeout: 15_000 });
  } finally {
    await alice.close();
    await bob.close();
  }
});

test("an invite link makes a viewer: they read along, cannot write, and the owner can revoke the link", async ({ browser }) => {
  const owner = await person(browser);
  const carol = await person(browser);
  const dan = await person(browser);
  try {
    const uuid = await owner.chat.startChat(`Read this [[fake text="the text to read"]]`);
    await owner.chat.waitForAnswer();
    await owner.page.getByRole("button", { name: "Invite people" }).click();
    const dialog = owner.page.getByRole("dialog", { name: "People in this chat" });
    await dialog.getByRole("combobox", { name: "Role for people joining by the link" }).selectOption("viewer");
    await dialog.getByRole("button", { name: "Create link" }).click();
    const link = await dialog.getByRole("textbox", { name: /New link/ }).inputValue();
    expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);

    await carol.page.goto(link);
    await expect(carol.page.getByRole("heading", { name: /^Join/ })).toBeVisible();
    await carol.page.getByRole("button", { name: "Join the chat" }).click();
    await expect(carol.page).toHaveURL(new RegExp(`/chat/${uuid}$`));
    await expect(carol.chat.contentOf(carol.chat.lastAnswer())).toHaveText("the text to read");
    await expect(carol.page.getByRole("note")).toContainText("You can read this chat");
    await expect(carol.chat.composer).toHaveCount(0);

    // The owner sees the open link and revokes it: Dan's attempt finds a dead link.
    await dialog.getByRole("button", { name: "Revoke" }).click();
    await expect(dialog.getByRole("list", { name: "Open invite links" })).toHaveCount(0);
    await dan.page.goto(link);
    await expect(dan.page.getByRole("heading", { name: "This invite link does not work" })).toBeVisible();
  } finally {
    await owner.close();
    await carol.close();
    await dan.close();
  }
});
