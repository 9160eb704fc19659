/**
 * Collaborative chats over real HTTP: roles enforced on every chat route (from the route table),
 * invitations by email and by link (expiry, revocation), a removed member losing access at
 * once, authorship told to the model, turn taking, presence and typing on the poll, and the
 * sidebar's shared and unread markers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, verifyEmail, type TestClient } from "../support/client.ts";
import { providedAppEnv } from "../support/context.ts";
import { createChat, exchange, fakeRequests, json, messages, send, until, waitForAnswer, type ChatJson } from "../support/chat.ts";
import { createTestDatabase, removeDataDir, testAppEnv } from "../support/app-server.ts";
import { restartableServer, withDirectSql } from "../support/direct-sql.ts";
import { expectInvariants } from "../support/invariants.ts";
import { call, entries, makeIds, type Ids } from "./route-table.ts";
import { sharedBaseUrl, sharedFakeOpenAIUrl } from "../support/context.ts";

const baseUrl = sharedBaseUrl();
const fakeUrl = sharedFakeOpenAIUrl();

interface Member {
  userId: string;
  name: string;
  role: string;
  present: boolean;
  typing: boolean;
}
interface Poll {
  messages: { uuid: string; role: string; author?: { id: string; name: string } }[];
  chat: ChatJson & { role: string; shared: boolean };
  presence: { userId: string; name: string; typing: boolean }[];
  generation: { status: string; requestedBy: { id: string; name: string } | null } | null;
}

async function idOf(client: TestClient): Promise<string> {
  const id = (await client.session())?.user?.id;
  if (!id) throw new Error("no user id in the session");
  return id;
}

const verified = new WeakSet<TestClient>();

/**
 * Invites `who` by email and has them accept (nobody joins without consent); their address is
 * verified first, from the mail the shared server sent to the test's SMTP server.
 */
async function invite(owner: TestClient, chat: string, who: TestClient, role: "editor" | "viewer"): Promise<string> {
  if (!verified.has(who)) {
    await verifyEmail(who, providedAppEnv().MAIL_SINK_DIR!);
    verified.add(who);
  }
  const res = await owner.post(`/api/chats/${chat}/members`, { email: who.email, role });
  const { invitation } = await json<{ invitation: { uuid: string; userId: string; role: string } }>(res, 202);
  expect(invitation.role).toBe(role);
  const { invitations } = await json<{ invitations: { uuid: string; chat: { uuid: string } }[] }>(await who.get("/api/invitations"), 200);
  const mine = invitations.find((i) => i.chat.uuid === chat)!;
  const joined = await json<{ chatUuid: string; role: string }>(await who.post(`/api/invitations/${mine.uuid}`), 200);
  expect(joined.role).toBe(role);
  return invitation.userId;
}

async function errorOf(res: Response, status: number) {
  const body = await json<{ error: { code: string; message: string } }>(res, status);
  expect(body.error.message.length).toBeGreaterThan(10);
  return body.error;
}

describe("roles", () => {
  let owner: TestClient;
  let editor: TestClient;
  let viewer: TestClient;
  let ids: Ids;

  beforeAll(async () => {
    [owner, editor, viewer] = [await signUp(baseUrl, { name: "Olga Owner" }), await signUp(baseUrl), await signUp(baseUrl)];
    const third = await signUp(baseUrl);
    const base = await makeIds(owner, "[[fake text=shared-answer]]");
    await invite(owner, base.chat, editor, "editor");
    await invite(owner, base.chat, viewer, "viewer");
    // A member whom the others try to change or remove (not themselves: that is leaving).
    const member = await invite(owner, base.chat, third, "viewer");
    ids = { ...base, member };
  });

  // The routes of one chat or of one of its messages (not, say, of one's own API token).
  const chatRoutes = entries((e) => e.access === "owner" && /^\w+ \/(chat|api\/chats)\//.test(e.key));

  it("every chat route says which role it needs", () => {
    expect(chatRoutes.length).toBeGreaterThan(15);
    expect(chatRoutes.filter((e) => !e.needs).map((e) => e.key)).toEqual([]);
  });

  it.each(chatRoutes.filter((e) => e.needs !== "read"))("$key refuses a viewer with 403", async (e) => {
    expect((await errorOf(await call(viewer, e, ids), 403)).code).toBe("forbidden");
  });

  it.each(chatRoutes.filter((e) => e.needs === "owner"))("$key refuses an editor with 403", async (e) => {
    expect((await errorOf(await call(editor, e, ids), 403)).code).toBe("forbidden");
  });

  it.each(chatRoutes.filter((e) => e.needs === "read"))("$key is open to a viewer", async (e) => {
    const res = await call(viewer, e, ids);
    await res.arrayBuffer();
    expect(res.status, e.key).toBe(200);
  });

  it("lets an editor write: send, stop anyone's answer, rename; a viewer reads it all as it streams", async () => {
    const started = await send(owner, ids.chat, '[[fake text="slow " repeat=400 delay=10]]');
    const answer = await waitForAnswer(editor, ids.chat, started.uuid);
    // While it generates, nobody can send (turn taking); the viewer sees who asked.
    expect((await errorOf(await editor.post(`/chat/${ids.chat}/send`, { content: "me too" }), 409)).code).toBe("generation_in_progress");
    const seen = await json<Poll>(await viewer.get(`/chat/${ids.chat}/messages/${started.uuid}`), 200);
    expect(seen.generation?.requestedBy).toEqual({ id: await idOf(owner), name: "Olga Owner" });
    expect(seen.chat).toMatchObject({ role: "viewer", shared: true });
    // The editor stops the owner's answer.
    const stopped = await json<{ message: { status: string } }>(await editor.post(`/chat/message/${answer.uuid}/cancel`), 200);
    expect(stopped.message.status).toBe("cancelled");
    const renamed = await json<{ chat: { title: string; role: string } }>(await editor.request(`/api/chats/${ids.chat}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "Team notes" }),
    }), 200);
    expect(renamed.chat).toMatchObject({ title: "Team notes", role: "editor" });
    // Archiving changes the chat for everyone: the owner's call.
    const archive = await editor.request(`/api/chats/${ids.chat}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: "archived" }),
    });
    expect((await errorOf(archive, 403)).code).toBe("forbidden");
  });

  it("an editor can edit only their own messages", async () => {
    const mine = await exchange(editor, ids.chat, "[[fake text=editor-words]]");
    const ownerMessage = (await messages(owner, ids.chat)).messages.find((m) => m.role === "user" && m.uuid !== mine.user.uuid)!;
    const res = await editor.post(`/chat/${ids.chat}/edit`, { messageUuid: ownerMessage.uuid, content: "rewritten" });
    expect((await errorOf(res, 403)).message).toMatch(/only your own/);
    const edited = await editor.post(`/chat/${ids.chat}/edit`, { messageUuid: mine.user.uuid, content: "[[fake text=edited]]" });
    expect(edited.status).toBe(201);
    await waitForAnswer(editor, ids.chat, ((await edited.json()) as { message: { uuid: string } }).message.uuid);
  });
});

describe("members and invites", () => {
  it("invites by email: unknown emails are told apart, the invitee sees the chat marked shared, roles change, the owner cannot leave", async () => {
    const [owner, bob] = [await signUp(baseUrl), await signUp(baseUrl, { name: "Bob Builder" })];
    const chat = await createChat(owner, { title: "Plans" });
    expect((await errorOf(await owner.post(`/api/chats/${chat.uuid}/members`, { email: "nobody@example.test" }), 404)).message).toMatch(/No account/);
    // An account whose address is not verified is not offered the chat: the same 404.
    expect((await errorOf(await owner.post(`/api/chats/${chat.uuid}/members`, { email: bob.email }), 404)).message).toMatch(/No account/);
    expect((await errorOf(await owner.post(`/api/chats/${chat.uuid}/members`, { email: "not an email" }), 400)).code).toBe("validation_error");
    const bobId = await invite(owner, chat.uuid, bob, "viewer");
    // Inviting again keeps one membership (200) and never demotes.
    const again = await owner.post(`/api/chats/${chat.uuid}/members`, { email: bob.email.toUpperCase(), role: "viewer" });
    expect(again.status).toBe(200);

    const list = await json<{ chats: (ChatJson & { role: string; shared: boolean })[] }>(await bob.get("/chat/list"), 200);
    expect(list.chats.find((c) => c.uuid === chat.uuid)).toMatchObject({ title: "Plans", role: "viewer", shared: true });
    const ownerList = await json<{ chats: (ChatJson & { role: string; shared: boolean })[] }>(await owner.get("/chat/list"), 200);
    expect(ownerList.chats.find((c) => c.uuid === chat.uuid)).toMatchObject({ role: "owner", shared: true });

    const members = await json<{ members: Member[]; invites?: unknown[]; role: string }>(await bob.get(`/api/chats/${chat.uuid}/members`), 200);
    expect(members.members.map((m) => [m.name, m.role])).toEqual([
      [expect.any(String), "owner"],
      ["Bob Builder", "viewer"],
    ]);
    expect(members.invites).toBeUndefined(); // open invite links are the owner's to see

    const promoted = await json<{ member: Member }>(
      await owner.request(`/api/chats/${chat.uuid}/members/${bobId}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ role: "editor" }) }),
      200,
    );
    expect(promoted.member.role).toBe("editor");
    expect((await send(bob, chat.uuid, "[[fake text=hi]]")).role).toBe("user");

    const ownerId = await idOf(owner);
    expect((await errorOf(await owner.request(`/api/chats/${chat.uuid}/members/${ownerId}`, { method: "DELETE" }), 403)).message).toMatch(/owner cannot leave/);
    // Bob leaves: the chat is gone from his list and his polls.
    await json(await bob.request(`/api/chats/${chat.uuid}/members/${bobId}`, { method: "DELETE" }), 200);
    expect((await bob.get(`/chat/${chat.uuid}/messages`)).status).toBe(404);
    const after = await json<{ chats: ChatJson[] }>(await bob.get("/chat/list"), 200);
    expect(after.chats.map((c) => c.uuid)).not.toContain(chat.uuid);
  });

  it("a removed member loses access at once: polls, tokens, send and the page", async () => {
    const [owner, eve] = [await signUp(baseUrl), await signUp(baseUrl)];
    const chat = await createChat(owner);
    const { answer } = await exchange(owner, chat.uuid, "[[fake text=before-removal]]");
    const eveId = await invite(owner, chat.uuid, eve, "editor");
    expect((await eve.get(`/chat/message/${answer.uuid}/tokens/0`)).status).toBe(200);
    expect((await eve.get(`/chat/${chat.uuid}`)).status).toBe(200);

    await json(await owner.request(`/api/chats/${chat.uuid}/members/${eveId}`, { method: "DELETE" }), 200);
    for (const path of [`/chat/${chat.uuid}/messages`, `/chat/${chat.uuid}/messages/${answer.uuid}`, `/chat/message/${answer.uuid}/tokens/0`]) {
      expect((await eve.get(path)).status, path).toBe(404);
    }
    expect((await eve.post(`/chat/${chat.uuid}/send`, { content: "still here?" })).status).toBe(404);
    const page = await eve.get(`/chat/${chat.uuid}`);
    expect(page.status).toBe(404);
    expect(await page.text()).not.toContain("before-removal");
  });

  it("invite links: join with the link's role, idempotently; a revoked link answers 404 at once", async () => {
    const [owner, carol, dave] = [await signUp(baseUrl, { name: "Olivia" }), await signUp(baseUrl), await signUp(baseUrl)];
    const chat = await createChat(owner, { title: "Book club" });
    const { invite: link } = await json<{ invite: { uuid: string; token: string; path: string; role: string; expiresAt: string } }>(
      await owner.post(`/api/chats/${chat.uuid}/invites`, { role: "viewer", expiresInHours: 24 }),
      201,
    );
    expect(link.path).toBe(`/invite/${link.token}`);
    expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    // Only the owner sees open links, and never their tokens again.
    const listed = await json<{ invites: { uuid: string }[] }>(await owner.get(`/api/chats/${chat.uuid}/members`), 200);
    expect(listed.invites.map((i) => i.uuid)).toEqual([link.uuid]);
    expect(JSON.stringify(listed)).not.toContain(link.token);

    const info = await json<{ invite: { chatTitle: string; role: string; invitedBy: string; memberRole: string | null } }>(await carol.get(`/api/invites/${link.token}`), 200);
    expect(info.invite).toEqual({ chatUuid: chat.uuid, chatTitle: "Book club", role: "viewer", invitedBy: "Olivia", memberRole: null });
    const page = await carol.get(link.path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Book club");

    const joined = await json<{ chatUuid: string; role: string }>(await carol.post(`/api/invites/${link.token}`), 200);
    expect(joined).toEqual({ chatUuid: chat.uuid, role: "viewer" });
    expect(await json(await carol.post(`/api/invites/${link.token}`), 200)).toEqual(joined);
    expect((await carol.get(`/chat/${chat.uuid}/messages`)).status).toBe(200);

    await json(await owner.request(`/api/chats/${chat.uuid}/invites/${link.uuid}`, { method: "DELETE" }), 200);
    expect((await errorOf(await dave.post(`/api/invites/${link.token}`), 404)).message).toMatch(/expired or been revoked/);
    expect((await dave.get(`/api/invites/${link.token}`)).status).toBe(404);
    expect((await dave.get(`/chat/${chat.uuid}/messages`)).status).toBe(404);
    expect(await (await dave.get(link.path)).text()).toContain("does not work");
    // Joining by link does not survive its membership: Carol stays (a revoke stops new joins only).
    expect((await carol.get(`/chat/${chat.uuid}/messages`)).status).toBe(200);
    // Malformed tokens read as unknown ones.
    expect((await dave.post(`/api/invites/not-a-token`)).status).toBe(404);
  });
});

describe("with a server of its own (time moved in its database)", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  it("an expired invite link answers 404; presence and typing show up on the poll and go away 10 s after the last poll", async () => {
    const db = await createTestDatabase();
    // The shared SMTP server: invitations by email need verified addresses.
    const env = { ...testAppEnv(db, fakeUrl), SMTP_URL: providedAppEnv().SMTP_URL!, MAIL_SINK_DIR: providedAppEnv().MAIL_SINK_DIR! };
    const server = await restartableServer(env);
    cleanups.push(async () => {
      await server.current.stop();
      await db.drop();
      removeDataDir(env);
    });
    const url = () => server.current.url;
    const [alice, bob, carol] = [await signUp(url(), { name: "Alice" }), await signUp(url(), { name: "Bob" }), await signUp(url())];
    // The clients follow the server's URL across restarts.
    for (const c of [alice, bob, carol]) Object.defineProperty(c, "baseUrl", { get: url });
    const chat = await createChat(alice);
    await invite(alice, chat.uuid, bob, "editor");
    const [aliceId, bobId] = [await idOf(alice), await idOf(bob)];
    const { invite: link } = await json<{ invite: { uuid: string; token: string } }>(await alice.post(`/api/chats/${chat.uuid}/invites`, { role: "editor" }), 201);

    const poll = async (who: TestClient, typing?: boolean) =>
      json<Poll>(await who.get(`/chat/${chat.uuid}/messages${typing === undefined ? "" : `?typing=${typing ? 1 : 0}`}`), 200);
    await poll(alice);
    await poll(bob, true);
    const seen = await until("Bob present and typing for Alice", async () => {
      const p = await poll(alice);
      return p.presence.some((m) => m.userId === bobId && m.typing) ? p : undefined;
    });
    expect(seen.presence).toEqual([{ userId: bobId, name: "Bob", typing: true }]);
    expect((await poll(bob)).presence).toEqual([{ userId: aliceId, name: "Alice", typing: false }]);
    // Bob's draft is sent or cleared: the next poll says so at once.
    await poll(bob, false);
    await until("Bob no longer typing", async () => ((await poll(alice)).presence.some((m) => m.userId === bobId && !m.typing) ? true : undefined));

    // Ten seconds pass without Bob polling, and the link's time runs out.
    await withDirectSql(db, server, async (exec) => {
      await exec(`update chat_member set seen_at = now() - interval '11 seconds' where user_id = $1`, [bobId]);
      await exec(`update chat_invite set expires_at = now() - interval '1 second' where uuid = $1`, [link.uuid]);
    });
    // Written straight to the database, not through the app: the app hears of it by the change
    // feed's notification (milliseconds; docs/design.md §8.3), so the next polls show it.
    const gone = Date.now();
    await until("Bob gone for Alice", async () => ((await poll(alice)).presence.length === 0 ? true : undefined), 2_000, 20);
    expect(Date.now() - gone).toBeLessThan(2_000);
    expect((await poll(alice)).presence).toEqual([]);
    expect((await carol.post(`/api/invites/${link.token}`)).status).toBe(404);
    expect((await carol.get(`/chat/${chat.uuid}/messages`)).status).toBe(404);
    const open = await json<{ invites: unknown[] }>(await alice.get(`/api/chats/${chat.uuid}/members`), 200);
    expect(open.invites).toEqual([]);
    await expectInvariants(url());
  });
});

describe("authorship and the sidebar", () => {
  it("records who sent each message, tells the model who said what, and marks the chat unread for the others", async () => {
    const [ann, ben] = [await signUp(baseUrl, { name: "Ann" }), await signUp(baseUrl, { name: "Ben" })];
    const chat = await createChat(ann);
    const first = await exchange(ann, chat.uuid, "[[fake text=one]] from Ann");
    const benId = await invite(ann, chat.uuid, ben, "editor");
    await messages(ben, chat.uuid); // Ben has it open: read
    const second = await exchange(ben, chat.uuid, "[[fake text=two]] from Ben");
    // Ben's message and its answer arrived while Ann was away (her last read was before them)...
    const annList = async () => (await json<{ chats: (ChatJson & { unread: boolean })[] }>(await ann.get("/chat/list"), 200)).chats.find((c) => c.uuid === chat.uuid)!;
    expect((await annList()).unread).toBe(true);

    const all = await json<Poll>(await ann.get(`/chat/${chat.uuid}/messages`), 200);
    const authors = all.messages.filter((m) => m.role === "user").map((m) => m.author);
    expect(authors).toEqual([
      { id: await idOf(ann), name: "Ann" },
      { id: benId, name: "Ben" },
    ]);
    expect(all.messages.find((m) => m.uuid === second.user.uuid)?.author?.name).toBe("Ben");

    // The model was told who said what (names prefixed), and that several people talk.
    // (The answering request, not the one that titles the chat.)
    const sent = (await fakeRequests(fakeUrl)).findLast((r) => r.messages.some((m) => m.role === "user" && m.content.endsWith("from Ben")))!;
    const users = sent.messages.filter((m) => m.role === "user").map((m) => m.content);
    expect(users).toEqual(["Ann: [[fake text=one]] from Ann", "Ben: [[fake text=two]] from Ben"]);
    expect(sent.messages.find((m) => m.role === "system")?.content).toMatch(/Several people/);
    // A chat of one person is sent as it was typed.
    const solo = await createChat(ann);
    await exchange(ann, solo.uuid, "[[fake text=alone]] just me");
    const soloSent = (await fakeRequests(fakeUrl)).findLast((r) => r.messages.some((m) => m.role === "user" && m.content.endsWith("just me")))!;
    expect(soloSent.messages.filter((m) => m.role === "user").map((m) => m.content)).toEqual(["[[fake text=alone]] just me"]);
    expect(first.stored.content).toBe("one");

    // ...until she opens it; Ben, who wrote them, has nothing unread.
    await until("Ann's read to be recorded", async () => ((await annList()).unread ? undefined : true));
    const benList = await json<{ chats: (ChatJson & { unread: boolean })[] }>(await ben.get("/chat/list"), 200);
    await until("Ben's read to be recorded", async () => {
      const c = (await json<{ chats: (ChatJson & { unread: boolean })[] }>(await ben.get("/chat/list"), 200)).chats.find((x) => x.uuid === chat.uuid)!;
      if (c.unread) await messages(ben, chat.uuid);
      return c.unread ? undefined : true;
    });
    expect(benList.chats.some((c) => c.uuid === chat.uuid)).toBe(true);
  });
});
