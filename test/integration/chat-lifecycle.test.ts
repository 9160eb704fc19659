/** Idempotent replays, one answer at a time, cancel, regenerate, edit, list, rename, delete. */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signUp } from "../support/client.ts";
import { parseDirective, scriptedText } from "../support/fake-openai.ts";
import {
  createChat,
  exchange,
  json,
  messages,
  pollTokens,
  send,
  until,
  waitForAnswer,
  type ChatJson,
  type MessageJson,
  type TokensJson,
} from "../support/chat.ts";
import { sharedBaseUrl } from "../support/context.ts";

const baseUrl = sharedBaseUrl();
const SLOW = '[[fake text="slow words keep coming " repeat=400 chunk=4 delay=25]]';

describe("idempotent replays", () => {
  it("replaying create with the same uuid answers the same chat (200) without a duplicate", async () => {
    const client = await signUp(baseUrl);
    const uuid = randomUUID();
    const first = await json<{ chat: ChatJson }>(await client.post("/chat/create", { uuid, title: "Trip plans", agent: "writer" }), 201);
    const again = await json<{ chat: ChatJson }>(await client.post("/chat/create", { uuid, title: "Other" }), 200);
    expect(again.chat).toEqual(first.chat);
    const list = await json<{ chats: ChatJson[] }>(await client.get("/chat/list"), 200);
    expect(list.chats.filter((c) => c.uuid === uuid)).toHaveLength(1);
    // The writer agent opens with its greeting.
    const { messages: opening } = await messages(client, uuid);
    expect(opening).toHaveLength(1);
    expect(opening[0]).toMatchObject({ role: "assistant", status: "completed" });
    // Another user cannot take that uuid, nor learn anything about the chat.
    const other = await signUp(baseUrl);
    const taken = await other.post("/chat/create", { uuid });
    expect(taken.status).toBe(409);
    expect((await messages(other, uuid).catch(() => null))).toBeNull();
  });

  it("replaying send with the same message uuid answers the stored message (200), even while it generates", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client);
    const uuid = randomUUID();
    const first = await send(client, chat.uuid, SLOW, { uuid });
    const again = await json<{ message: MessageJson }>(await client.post(`/chat/${chat.uuid}/send`, { content: SLOW, uuid }), 200);
    expect(again.message.uuid).toBe(first.uuid);
    expect(again.message.content).toBe(SLOW);
    const answer = await waitForAnswer(client, chat.uuid, uuid);
    const replayWhileGenerating = await client.post(`/chat/${chat.uuid}/send`, { content: SLOW, uuid });
    expect(replayWhileGenerating.status).toBe(200);
    const all = await messages(client, chat.uuid);
    expect(all.messages.filter((m) => m.role === "user")).toHaveLength(1);
    await json(await client.post(`/chat/message/${answer.uuid}/cancel`), 200);
  });
});

describe("one answer at a time, and cancel", () => {
  it("answers 409 generation_in_progress while a chat is answering; cancel keeps the partial text", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client);
    const user = await send(client, chat.uuid, SLOW);
    const busy = await client.post(`/chat/${chat.uuid}/send`, { content: "and another thing" });
    expect(busy.status).toBe(409);
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe("generation_in_progress");

    const answer = await waitForAnswer(client, chat.uuid, user.uuid);
    const partial = await pollTokens(client, answer.uuid, { stopWhen: (r) => r.position > 40 });
    const cancelled = await json<{ message: MessageJson }>(await client.post(`/chat/message/${answer.uuid}/cancel`), 200);
    expect(cancelled.message.status).toBe("cancelled");
    expect(cancelled.message.content.length).toBeGreaterThanOrEqual(partial.text.length);
    expect(scriptedText(parseDirective(SLOW)).startsWith(cancelled.message.content)).toBe(true);

    // Idempotent, and the text stops growing.
    const again = await json<{ message: MessageJson }>(await client.post(`/chat/message/${answer.uuid}/cancel`), 200);
    expect(again.message).toEqual(cancelled.message);
    await new Promise((r) => setTimeout(r, 500));
    const t = await json<TokensJson>(await client.get(`/chat/message/${answer.uuid}/tokens/0`), 200);
    expect(t).toMatchObject({ status: "cancelled", append: true, tokens: cancelled.message.content });

    // The chat takes a new message at once.
    const next = await exchange(client, chat.uuid, "[[fake text=after-cancel]]");
    expect(next.stored.content).toBe("after-cancel");
  });

  it("cancels a request through its user message before or while it runs", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client);
    const user = await send(client, chat.uuid, "[[fake text=never ttft=3000]]");
    const res = await json<{ message: MessageJson }>(await client.post(`/chat/message/${user.uuid}/cancel`), 200);
    expect(res.message.uuid).toBe(user.uuid);
    expect(res.message.status).toBe("completed");
    const all = await messages(client, chat.uuid);
    for (const m of all.messages.filter((m) => m.role === "assistant")) expect(m.status).toBe("cancelled");
    expect((await send(client, chat.uuid, "[[fake text=next]]")).status).toBe("pending");
  });
});

describe("regenerate and edit", () => {
  it("regenerates the last answer: the old answer leaves the list (a version now: branches.test.ts) and a new one streams", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client);
    const first = await exchange(client, chat.uuid, "[[fake text=one-answer]]");
    const res = await json<{ message: MessageJson }>(await client.post(`/chat/${chat.uuid}/regenerate`, {}), 201);
    expect(res.message.uuid).toBe(first.user.uuid);
    // A client that polled after the old answer learns it left the active branch and reloads.
    const stale = await client.get(`/chat/${chat.uuid}/messages/${first.answer.uuid}`);
    expect(stale.status).toBe(404);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe("unknown_last_message");
    const answer = await waitForAnswer(client, chat.uuid, first.user.uuid);
    expect(answer.uuid).not.toBe(first.answer.uuid);
    const polled = await pollTokens(client, answer.uuid);
    expect(polled).toMatchObject({ status: "completed", text: "one-answer" });
    expect((await messages(client, chat.uuid)).messages).toHaveLength(2);
  });

  it("edits a user message: the new message and its answer take the place of it and what followed (another branch now: branches.test.ts)", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client);
    const first = await exchange(client, chat.uuid, "[[fake text=alpha]]");
    await exchange(client, chat.uuid, "[[fake text=beta]]");
    const uuid = randomUUID();
    const edited = await json<{ message: MessageJson }>(
      await client.post(`/chat/${chat.uuid}/edit`, { messageUuid: first.user.uuid, content: "[[fake text=gamma]]", uuid }),
      201,
    );
    expect(edited.message).toMatchObject({ uuid, content: "[[fake text=gamma]]", role: "user" });
    const answer = await waitForAnswer(client, chat.uuid, uuid);
    expect((await pollTokens(client, answer.uuid)).text).toBe("gamma");
    expect((await messages(client, chat.uuid)).messages.map((m) => m.content)).toEqual(["[[fake text=gamma]]", "gamma"]);
    // Replaying the edit answers the stored message.
    const replay = await client.post(`/chat/${chat.uuid}/edit`, { messageUuid: first.user.uuid, content: "[[fake text=gamma]]", uuid });
    expect(replay.status).toBe(200);
  });
});

describe("the chat list", () => {
  it("lists the user's chats by newest activity, paginated, and renames, archives and deletes", async () => {
    const client = await signUp(baseUrl);
    const a = await createChat(client, { title: "Alpha" });
    const b = await createChat(client, { title: "Bravo" });
    const c = await createChat(client, { title: "Charlie" });
    await exchange(client, a.uuid, "[[fake text=bump]]"); // activity moves Alpha to the top
    const page1 = await json<{ chats: ChatJson[]; nextCursor: string | null }>(await client.get("/chat/list?limit=2"), 200);
    expect(page1.chats.map((x) => x.uuid)).toEqual([a.uuid, c.uuid]);
    expect(page1.nextCursor).toBeTruthy();
    const page2 = await json<{ chats: ChatJson[]; nextCursor: string | null }>(
      await client.get(`/chat/list?limit=2&cursor=${page1.nextCursor}`),
      200,
    );
    expect(page2.chats.map((x) => x.uuid)).toEqual([b.uuid]);
    expect(page2.nextCursor).toBeNull();

    const search = await json<{ chats: ChatJson[] }>(await client.get("/chat/list?q=rav"), 200);
    expect(search.chats.map((x) => x.uuid)).toEqual([b.uuid]);

    const renamed = await json<{ chat: ChatJson }>(await client.request(`/api/chats/${b.uuid}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "Bravo two", status: "archived" }),
    }), 200);
    expect(renamed.chat).toMatchObject({ title: "Bravo two", status: "archived" });

    expect((await client.del(`/api/chats/${c.uuid}`)).status).toBe(200);
    expect((await client.get(`/chat/${c.uuid}/messages`)).status).toBe(404);
    expect((await client.del(`/api/chats/${c.uuid}`)).status).toBe(404);

    // Someone else sees none of it.
    const other = await signUp(baseUrl);
    expect((await json<{ chats: ChatJson[] }>(await other.get("/chat/list"), 200)).chats).toEqual([]);
  });

  it("deleting a chat while it answers stops the answer and leaves nothing behind", async () => {
    const client = await signUp(baseUrl);
    const chat = await createChat(client);
    const user = await send(client, chat.uuid, SLOW);
    const answer = await waitForAnswer(client, chat.uuid, user.uuid);
    expect((await client.del(`/api/chats/${chat.uuid}`)).status).toBe(200);
    await until("the answer to be gone", async () =>
      (await client.get(`/chat/message/${answer.uuid}/tokens/0`)).status === 404 ? true : undefined,
    );
  });
});
