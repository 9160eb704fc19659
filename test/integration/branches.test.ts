/**
 * Branches through real HTTP (docs/design.md §3.12): edit and regenerate keep every version;
 * POST /chat/{uuid}/branch switches the conversation in one request, another member's poll
 * follows (404 unknown_last_message, then the other branch), and the model is given the branch
 * it answers; a viewer cannot switch, nobody can while an answer is generated; the share link
 * and the Markdown export show the active branch, the JSON export every branch and an import
 * brings them back; usage counts every version; /lite shows "‹ 2/3 ›" and switches.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, verifyEmail, type TestClient } from "../support/client.ts";
import { createChat, exchange, fakeRequests, json, messages, send, waitForAnswer, type MessageJson } from "../support/chat.ts";
import { providedAppEnv, sharedBaseUrl, sharedFakeOpenAIUrl } from "../support/context.ts";
import { serverWithSql } from "../support/direct-sql.ts";

const baseUrl = sharedBaseUrl();
const fakeUrl = sharedFakeOpenAIUrl();
const SLOW = '[[fake text="slow words keep coming " repeat=400 chunk=4 delay=25]]';
const HX = { "HX-Request": "true" };

type Message = MessageJson & { versions?: string[] };
interface Poll {
  messages: Message[];
  chat: { uuid: string; role: string };
}

const list = async (client: TestClient, chat: string, last?: string): Promise<Poll> => (await messages(client, chat, last)) as unknown as Poll;
const contents = (p: Poll) => p.messages.map((m) => m.content);

async function branch(client: TestClient, chat: string, messageUuid: string, status = 200) {
  return json<Poll & { error?: { code: string } }>(await client.post(`/chat/${chat}/branch`, { messageUuid }), status);
}

async function errorCode(res: Response, status: number): Promise<string> {
  return (await json<{ error: { code: string } }>(res, status)).error.code;
}

/** An exchange with a unique answer text, and the stored answer. */
async function say(client: TestClient, chat: string, text: string) {
  const { user, stored } = await exchange(client, chat, `${text} [[fake text=${text}-answer]]`);
  expect(stored.status).toBe("completed");
  return { user, answer: stored };
}

/** Edits `messageUuid` and waits for the new version's answer to end. */
async function edit(client: TestClient, chat: string, messageUuid: string, text: string) {
  const uuid = randomUUID();
  const res = await json<{ message: Message }>(await client.post(`/chat/${chat}/edit`, { messageUuid, content: `${text} [[fake text=${text}-answer]]`, uuid }), 201);
  expect(res.message.uuid).toBe(uuid);
  const answer = await waitForAnswer(client, chat, uuid);
  await settled(client, chat, answer.uuid);
  return { user: res.message, answer };
}

/** Regenerates the last answer and waits for the new one to end. */
async function regenerate(client: TestClient, chat: string) {
  const res = await json<{ message: Message }>(await client.post(`/chat/${chat}/regenerate`, {}), 201);
  const answer = await waitForAnswer(client, chat, res.message.uuid);
  await settled(client, chat, answer.uuid);
  return answer;
}

async function settled(client: TestClient, chat: string, answer: string) {
  for (let i = 0; i < 300; i++) {
    const found = (await list(client, chat)).messages.find((m) => m.uuid === answer);
    if (found && found.status !== "pending") return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`answer ${answer} still pending`);
}

/** What the fake model was last sent for a prompt that ends with `marker`. */
async function promptOf(marker: string): Promise<string[]> {
  const sent = (await fakeRequests(fakeUrl)).findLast((r) => r.messages.at(-1)?.content.includes(marker));
  expect(sent, `a model request for ${marker}`).toBeDefined();
  return sent!.messages.filter((m) => m.role !== "system").map((m) => m.content);
}

const verified = new WeakSet<TestClient>();
/** Invites `who` by email (their address verified from the mail sink) and has them accept. */
async function invite(owner: TestClient, chat: string, who: TestClient, role: "editor" | "viewer") {
  if (!verified.has(who)) {
    await verifyEmail(who, providedAppEnv().MAIL_SINK_DIR!);
    verified.add(who);
  }
  await json(await owner.post(`/api/chats/${chat}/members`, { email: who.email, role }), 202);
  const { invitations } = await json<{ invitations: { uuid: string; chat: { uuid: string } }[] }>(await who.get("/api/invitations"), 200);
  const mine = invitations.find((i) => i.chat.uuid === chat)!;
  await json(await who.post(`/api/invitations/${mine.uuid}`), 200);
}

describe("edit and regenerate keep versions", () => {
  it("an edit is a new version of the message: the old one and what followed it stay, one switch away, and the model is given the branch it answers", async () => {
    const owner = await signUp(baseUrl);
    const chat = (await createChat(owner)).uuid;
    const q1 = await say(owner, chat, "e1");
    const q2 = await say(owner, chat, "e2");
    const e = await edit(owner, chat, q1.user.uuid, "e1b");

    // The active branch is the edit and its answer; the message says it has two versions.
    let poll = await list(owner, chat);
    expect(poll.messages.map((m) => m.uuid)).toEqual([e.user.uuid, e.answer.uuid]);
    expect(poll.messages[0]!.versions).toEqual([q1.user.uuid, e.user.uuid]);
    expect(poll.messages[1]!.versions).toBeUndefined();
    // The edited message's model input held nothing of the old branch.
    expect(await promptOf("e1b [[")).toEqual([`e1b [[fake text=e1b-answer]]`]);

    // Back to the first version: the conversation below it is as it was.
    poll = await branch(owner, chat, q1.user.uuid);
    expect(poll.messages.map((m) => m.uuid)).toEqual([q1.user.uuid, q1.answer.uuid, q2.user.uuid, q2.answer.uuid]);
    expect(poll.messages[0]!.versions).toEqual([q1.user.uuid, e.user.uuid]);
    expect(contents(await list(owner, chat))).toEqual(contents(poll));
    // Idempotent.
    expect((await branch(owner, chat, q1.user.uuid)).messages.map((m) => m.uuid)).toEqual(poll.messages.map((m) => m.uuid));

    // A new message follows the active branch, and the model is given that branch only.
    const q3 = await say(owner, chat, "e3");
    expect(await promptOf("e3 [[")).toEqual([q1.user.content, "e1-answer", q2.user.content, "e2-answer", q3.user.content]);
    expect((await list(owner, chat)).messages.map((m) => m.uuid)).toEqual([q1.user.uuid, q1.answer.uuid, q2.user.uuid, q2.answer.uuid, q3.user.uuid, q3.answer.uuid]);

    // Switching to the edit again keeps the other branch's newest message too.
    poll = await branch(owner, chat, e.user.uuid);
    expect(poll.messages.map((m) => m.uuid)).toEqual([e.user.uuid, e.answer.uuid]);
    poll = await branch(owner, chat, q3.answer.uuid);
    expect(poll.messages.at(-1)!.uuid).toBe(q3.answer.uuid);

    // An edit of a message off the active branch makes its branch the active one.
    await branch(owner, chat, e.user.uuid);
    const e2 = await edit(owner, chat, q2.user.uuid, "e2b");
    poll = await list(owner, chat);
    expect(poll.messages.map((m) => m.uuid)).toEqual([q1.user.uuid, q1.answer.uuid, e2.user.uuid, e2.answer.uuid]);
    expect(poll.messages[2]!.versions).toEqual([q2.user.uuid, e2.user.uuid]);
    expect(await promptOf("e2b [[")).toEqual([q1.user.content, "e1-answer", "e2b [[fake text=e2b-answer]]"]);
  });

  it("regenerate adds an answer as a new version; switching shows in another member's poll (404 unknown_last_message, then the other branch)", async () => {
    const owner = await signUp(baseUrl);
    const viewer = await signUp(baseUrl);
    const chat = (await createChat(owner)).uuid;
    await invite(owner, chat, viewer, "viewer");
    const q = await say(owner, chat, "r1");
    const second = await regenerate(owner, chat);
    const third = await regenerate(owner, chat);
    expect(second.uuid).not.toBe(q.answer.uuid);

    let poll = await list(owner, chat);
    expect(poll.messages.map((m) => m.uuid)).toEqual([q.user.uuid, third.uuid]);
    expect(poll.messages[1]!.versions).toEqual([q.answer.uuid, second.uuid, third.uuid]);
    expect(poll.messages[0]!.versions).toBeUndefined();

    // The viewer follows along, polling after the last message it has.
    const seen = await list(viewer, chat);
    expect(seen.messages.map((m) => m.uuid)).toEqual([q.user.uuid, third.uuid]);
    expect(seen.messages[1]!.versions).toHaveLength(3);
    expect((await list(viewer, chat, third.uuid)).messages).toEqual([]);
    // A viewer reads but does not switch.
    expect(await errorCode(await viewer.post(`/chat/${chat}/branch`, { messageUuid: q.answer.uuid }), 403)).toBe("forbidden");

    poll = await branch(owner, chat, second.uuid);
    expect(poll.messages.map((m) => m.uuid)).toEqual([q.user.uuid, second.uuid]);
    expect(await errorCode(await viewer.get(`/chat/${chat}/messages/${third.uuid}`), 404)).toBe("unknown_last_message");
    const reloaded = await list(viewer, chat);
    expect(reloaded.messages.map((m) => m.uuid)).toEqual([q.user.uuid, second.uuid]);
    expect(reloaded.messages[1]!.content).toBe("r1-answer");
    // Its poll after the user message (still on the branch) goes on as before.
    expect((await list(viewer, chat, q.user.uuid)).messages.map((m) => m.uuid)).toEqual([second.uuid]);
  });

  it("a regeneration stopped before a runner took it gives the question its answer back (the next message follows it, not a version of it)", async () => {
    const srv = await serverWithSql();
    try {
      const client = await signUp(srv.url);
      const chat = (await createChat(client)).uuid;
      const q = await say(client, chat, "s1");
      // What POST /regenerate leaves until the claim (db/queries/queue.ts): the answer unselected
      // and hidden, a request queued on the question. Written here, where no runner can take it
      // first (its creation an hour ahead: no poll finds it stale and dispatches it).
      await srv.sql(
        `with old as (update chat_message set selected = false, hidden = true where uuid = $1),
           req as (insert into llm_request (uuid, chat_uuid, user_id, prompt_message_uuid, model, status, created_at)
             select $2, c.uuid, c.user_id, $3, 'compatible:fake-model', 'queued', now() + interval '1 hour' from chat c where c.uuid = $4)
         update chat_message set status = 'pending', llm_request_uuid = $2 where uuid = $3`,
        [q.answer.uuid, randomUUID(), q.user.uuid, chat],
      );
      await json(await client.post(`/chat/message/${q.user.uuid}/cancel`, {}), 200);
      expect((await list(client, chat)).messages.map((m) => m.uuid)).toEqual([q.user.uuid, q.answer.uuid]);
      const next = await say(client, chat, "s2");
      const after = await list(client, chat);
      expect(after.messages.map((m) => m.uuid)).toEqual([q.user.uuid, q.answer.uuid, next.user.uuid, next.answer.uuid]);
      expect(after.messages.map((m) => m.versions)).toEqual([undefined, undefined, undefined, undefined]);
    } finally {
      await srv.close();
    }
  });

  it("usage and quotas count every version: no request is ever removed", async () => {
    const client = await signUp(baseUrl);
    const chat = (await createChat(client)).uuid;
    const q = await say(client, chat, "u1");
    await regenerate(client, chat);
    await edit(client, chat, q.user.uuid, "u1b");
    const usage = await json<{ totals: { today: { requests: number } }; quotas: { name: string; used: number }[] }>(await client.get("/api/account/usage"), 200);
    expect(usage.totals.today.requests).toBe(3);
    expect(usage.quotas.find((x) => x.name === "messagesPerHour")?.used).toBe(3);
  });
});

describe("POST /chat/{uuid}/branch", () => {
  it("refuses while an answer is generated (409), a message of another chat (404), and garbage (400)", async () => {
    const owner = await signUp(baseUrl);
    const chat = (await createChat(owner)).uuid;
    const q = await say(owner, chat, "b1");
    const other = (await createChat(owner)).uuid;
    const elsewhere = await say(owner, other, "b2");

    const slow = await send(owner, chat, SLOW);
    const answer = await waitForAnswer(owner, chat, slow.uuid);
    expect(await errorCode(await owner.post(`/chat/${chat}/branch`, { messageUuid: q.user.uuid }), 409)).toBe("generation_in_progress");
    await json(await owner.post(`/chat/message/${answer.uuid}/cancel`), 200);

    expect(await errorCode(await owner.post(`/chat/${chat}/branch`, { messageUuid: elsewhere.user.uuid }), 404)).toBe("not_found");
    expect(await errorCode(await owner.post(`/chat/${chat}/branch`, { messageUuid: randomUUID() }), 404)).toBe("not_found");
    expect(await errorCode(await owner.post(`/chat/${chat}/branch`, { messageUuid: "nope" }), 400)).toBe("validation_error");
    expect(await errorCode(await owner.post(`/chat/${chat}/branch`, {}), 400)).toBe("validation_error");
    const stranger = await signUp(baseUrl);
    expect(await errorCode(await stranger.post(`/chat/${chat}/branch`, { messageUuid: q.user.uuid }), 404)).toBe("not_found");
    // Nothing changed.
    expect((await list(owner, chat)).messages.map((m) => m.uuid)).toEqual([q.user.uuid, q.answer.uuid, slow.uuid, answer.uuid]);
  });
});

describe("readers of the conversation", () => {
  let owner: TestClient;
  let chat: string;
  let old: { user: Message; answer: Message };
  let current: { user: Message; answer: Message };

  beforeAll(async () => {
    owner = await signUp(baseUrl);
    chat = (await createChat(owner, { title: "Branches" })).uuid;
    old = await say(owner, chat, "first-try");
    await say(owner, chat, "follow-up");
    current = await edit(owner, chat, old.user.uuid, "second-try");
  });

  it("the share link shows the active branch, and follows a switch", async () => {
    const { share } = await json<{ share: { shareUuid: string } }>(await owner.post(`/api/chats/${chat}/share`), 201);
    const anyone = await signUp(baseUrl);
    const shared = await json<{ messages: Message[] }>(await anyone.get(`/api/share/${share.shareUuid}/messages`), 200);
    expect(shared.messages.map((m) => m.uuid)).toEqual([current.user.uuid, current.answer.uuid]);
    expect(shared.messages[0]).not.toHaveProperty("versions");
    await branch(owner, chat, old.user.uuid);
    expect(await errorCode(await anyone.get(`/api/share/${share.shareUuid}/messages/${current.answer.uuid}`), 404)).toBe("unknown_last_message");
    const after = await json<{ messages: Message[] }>(await anyone.get(`/api/share/${share.shareUuid}/messages`), 200);
    expect(after.messages.map((m) => m.content)).toEqual(["first-try [[fake text=first-try-answer]]", "first-try-answer", "follow-up [[fake text=follow-up-answer]]", "follow-up-answer"]);
    await branch(owner, chat, current.user.uuid);
    await json(await owner.del(`/api/chats/${chat}/share`), 200);
  });

  it("Markdown export is the active branch; JSON export holds every branch, and an import brings them back", async () => {
    const md = await (await owner.get(`/api/chats/${chat}/export?format=md`)).text();
    expect(md).toContain("second-try-answer");
    expect(md).not.toContain("first-try-answer");
    expect(md).not.toContain("follow-up");

    const file = await json<{ chats: { messages: { uuid: string; content: string; parentUuid: string | null; selected: boolean }[] }[] }>(
      await owner.get(`/api/chats/${chat}/export?format=json`),
      200,
    );
    const exported = file.chats[0]!.messages;
    expect(exported).toHaveLength(6);
    const byUuid = new Map(exported.map((m) => [m.uuid, m]));
    expect(byUuid.get(old.user.uuid)).toMatchObject({ parentUuid: null, selected: false });
    expect(byUuid.get(current.user.uuid)).toMatchObject({ parentUuid: null, selected: true });
    expect(byUuid.get(current.answer.uuid)).toMatchObject({ parentUuid: current.user.uuid, selected: true });
    expect(byUuid.get(old.answer.uuid)).toMatchObject({ parentUuid: old.user.uuid, selected: true });

    // Into another account: new uuids, the same tree, the same active branch.
    const bob = await signUp(baseUrl);
    const imported = await json<{ imported: { uuid: string }[] }>(await bob.post("/api/import", file), 201);
    const copy = imported.imported[0]!.uuid;
    const poll = await list(bob, copy);
    expect(contents(poll)).toEqual(["second-try [[fake text=second-try-answer]]", "second-try-answer"]);
    expect(poll.messages[0]!.versions).toHaveLength(2);
    const back = await branch(bob, copy, poll.messages[0]!.versions![0]!);
    expect(contents(back)).toEqual(["first-try [[fake text=first-try-answer]]", "first-try-answer", "follow-up [[fake text=follow-up-answer]]", "follow-up-answer"]);
    const again = await json<typeof file>(await bob.get(`/api/chats/${copy}/export?format=json`), 200);
    const shape = (f: typeof file) => {
      const ms = f.chats[0]!.messages;
      const index = new Map(ms.map((m, i) => [m.uuid, i]));
      return ms.map((m) => [m.content, m.parentUuid === null ? null : index.get(m.parentUuid)]);
    };
    expect(shape(again)).toEqual(shape(file));
  });

  it("an import refuses a parent that is not an earlier message of the chat", async () => {
    const carol = await signUp(baseUrl);
    const [a, b] = [randomUUID(), randomUUID()];
    const res = await carol.post("/api/import", {
      format: "pollchat.chats",
      version: 1,
      chats: [
        {
          title: "Backwards",
          messages: [
            { uuid: a, role: "user", content: "hi", parentUuid: b },
            { uuid: b, role: "assistant", content: "hello", parentUuid: null },
          ],
        },
      ],
    });
    const body = await json<{ error: { code: string; message: string } }>(res, 400);
    expect(body.error.code).toBe("validation_error");
    expect(body.error.message).toMatch(/parentUuid/);
  });
});

describe("/lite", () => {
  it("shows ‹ 2/3 › on a message with versions, and its arrows switch the list", async () => {
    const owner = await signUp(baseUrl);
    const chat = (await createChat(owner)).uuid;
    const q = await say(owner, chat, "lite");
    const second = await regenerate(owner, chat);

    const list1 = await owner.get(`/chat/${chat}/messages`, { headers: HX });
    const html = await list1.text();
    expect(list1.status).toBe(200);
    expect(html).toContain(`id="versions-${second.uuid}"`);
    expect(html).toContain(`<span class="version-at">2/2</span>`);
    expect(html).toContain(`hx-post="/chat/${chat}/branch"`);
    expect(html).toContain(`name="messageUuid" value="${q.answer.uuid}"`);

    const res = await owner.post(`/chat/${chat}/branch`, { messageUuid: q.answer.uuid }, { form: true, headers: HX });
    const switched = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("hx-retarget")).toBe(`#messages-${chat}`);
    expect(res.headers.get("hx-reswap")).toBe("innerHTML");
    expect(switched).toContain(`id="msg-${q.answer.uuid}"`);
    expect(switched).not.toContain(`id="msg-${second.uuid}"`);
    expect(switched).toContain(`<span class="version-at">1/2</span>`);
    // The list's poller goes on from the new last message.
    expect(switched).toContain(`hx-get="/chat/${chat}/messages/${q.answer.uuid}"`);
  });
});
