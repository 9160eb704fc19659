/**
 * Polls that find nothing new are answered from memory (lib/changes/cache.ts), kept right by
 * PostgreSQL's LISTEN/NOTIFY (lib/changes/feed.ts; docs/design.md §8.3). Checked here through
 * real servers on one real database:
 *
 * - idle polls are hits of the caches (this process's metrics), not reads;
 * - a change made through server A reaches server B's cache at once: a new message, a member
 *   removed, an account disabled, every session signed out, an API token revoked, a share link
 *   withdrawn, another member's presence;
 * - read your own writes on one server: the poll right after a write request sees it;
 * - a listener that loses its connection drops what it kept and comes back;
 * - POLL_CACHE=off asks the database every time.
 *
 * The count of SQL statements an idle poll runs (0) is measured by bench/idle-sql.ts with
 * pg_stat_statements; here the caches' own counters say where an answer came from.
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymous, signUp, type TestClient } from "../support/client.ts";
import { createChat, exchange, json, send, sleep, waitForAnswer, type TokensJson } from "../support/chat.ts";
import { createTestDatabase, removeDataDir, startAppServer, testAppEnv, type AppServer } from "../support/app-server.ts";
import { parsePrometheus, sampleValue } from "./ops-helpers.ts";
import { checkedFetch } from "../support/contract.ts";
import { sharedFakeOpenAIUrl } from "../support/context.ts";
import { until } from "../support/wait.ts";

const METRICS_TOKEN = "metrics-token-for-poll-cache-0123456789";
const onPostgres = Boolean(process.env.DATABASE_URL);
const fakeUrl = sharedFakeOpenAIUrl();
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/** Hits and misses of one cache on one server, so far. */
async function lookups(server: AppServer, cache: string): Promise<{ hit: number; miss: number }> {
  const res = await checkedFetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  const { samples } = parsePrometheus(await res.text());
  return {
    hit: sampleValue(samples, "pollchat_poll_cache_lookups_total", { cache, result: "hit" }),
    miss: sampleValue(samples, "pollchat_poll_cache_lookups_total", { cache, result: "miss" }),
  };
}

/** `n` polls of `path`, each answered 200; how many of them the cache `cache` answered. */
async function hitsOf(server: AppServer, client: TestClient, path: string, cache: string, n = 5): Promise<number> {
  await json(await client.get(path), 200); // the first may read (and fill the cache)
  const before = await lookups(server, cache);
  for (let i = 0; i < n; i++) await json(await client.get(path), 200);
  return (await lookups(server, cache)).hit - before.hit;
}

async function idOf(client: TestClient): Promise<string> {
  const id = (await client.session())?.user?.id;
  if (!id) throw new Error("no user id in the session");
  return id;
}

/** Polls `path` on another server until `done` says the change is there; how long it took. */
async function seenWithin(client: TestClient, path: string, done: (res: Response, body: unknown) => boolean): Promise<number> {
  const started = Date.now();
  await until(
    `the change to show at ${path}`,
    async () => {
      const res = await client.get(path);
      const body: unknown = await res.json().catch(() => null);
      return done(res, body) || undefined;
    },
    5_000,
    20,
  );
  return Date.now() - started;
}

interface Setup {
  owner: TestClient;
  member: TestClient;
  memberId: string;
  chat: string;
  answer: { uuid: string; position: number };
}

/** An owner (the first account: admin), a chat with one finished answer, and a second member added. */
async function setUp(server: AppServer, sql: postgres.Sql | undefined): Promise<Setup> {
  const owner = await signUp(server.url, { name: "Olga Owner" });
  const member = await signUp(server.url, { name: "Mo Member" });
  const memberId = await idOf(member);
  const chat = (await createChat(owner)).uuid;
  const { answer } = await exchange(owner, chat, '[[fake text="Kept in memory." chunk=4]]');
  const final = await json<TokensJson>(await owner.get(`/chat/message/${answer.uuid}/tokens/0`), 200);
  expect(final.status).toBe("completed");
  // The chat's title is written after its first answer ends (a change like any other): the
  // counts below start once it has landed (a loaded CI machine wrote it mid-count).
  await until(
    "the chat's title",
    async () => (await json<{ chat: { title: string } }>(await owner.get(`/chat/${chat}/messages`), 200)).chat.title || undefined,
    15_000,
    50,
  );
  if (sql) await sql`insert into chat_member (chat_uuid, user_id, role) values (${chat}, ${memberId}, 'editor')`;
  return { owner, member, memberId, chat, answer: { uuid: answer.uuid, position: final.position } };
}

describe("one server: idle polls from memory, and read your own writes", () => {
  let server: AppServer;
  let s: Setup;

  beforeAll(async () => {
    const db = await createTestDatabase();
    const env = { ...testAppEnv(db, fakeUrl), METRICS_TOKEN };
    server = await startAppServer({ env });
    cleanups.push(async () => {
      await server.stop();
      await db.drop();
      removeDataDir(env);
    });
    s = await setUp(server, undefined);
  });

  it("answers polls that find nothing new from memory (the SQL they run is counted by bench/idle-sql.ts)", async () => {
    const { owner, chat, answer } = s;
    expect(await hitsOf(server, owner, `/chat/${chat}/messages/${answer.uuid}`, "chat_poll")).toBe(5);
    expect(await hitsOf(server, owner, `/chat/${chat}/messages`, "chat_poll")).toBe(5);
    expect(await hitsOf(server, owner, `/chat/message/${answer.uuid}/tokens/${answer.position}`, "tokens_poll")).toBe(5);
    // The browser's tokens poll asks for the parts too: its own entry, kept the same way.
    expect(await hitsOf(server, owner, `/chat/message/${answer.uuid}/tokens/${answer.position}?parts=0`, "tokens_poll")).toBe(5);
    // The session behind them is known too: no query for it either.
    expect(await hitsOf(server, owner, `/chat/${chat}/messages/${answer.uuid}`, "session")).toBe(5);
    // htmx fragments read the same entries.
    const before = await lookups(server, "tokens_poll");
    const res = await owner.get(`/chat/message/${answer.uuid}/tokens/${answer.position}`, { headers: { "hx-request": "true" } });
    expect(res.status).toBe(200);
    const afterHtmx = await lookups(server, "tokens_poll");
    expect(afterHtmx.hit).toBeGreaterThan(before.hit);
    expect(afterHtmx.miss).toBe(before.miss);
  });

  it("shows a write in the very next poll on the same server (no retry)", async () => {
    const { owner, chat, answer } = s;
    const after = `/chat/${chat}/messages/${answer.uuid}`;
    expect(await hitsOf(server, owner, after, "chat_poll")).toBeGreaterThan(0);
    // A rename, then one poll: the new title, not the kept one.
    expect((await owner.request(`/api/chats/${chat}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ title: "Renamed right now" }) })).status).toBe(200);
    const polled = await json<{ chat: { title: string } }>(await owner.get(after), 200);
    expect(polled.chat.title).toBe("Renamed right now");
    // A message sent, then one poll: it is there.
    const sent = await send(owner, chat, '[[fake text="Next one." chunk=4]]');
    const next = await json<{ messages: { uuid: string }[] }>(await owner.get(after), 200);
    expect(next.messages.map((m) => m.uuid)).toContain(sent.uuid);
    await waitForAnswer(owner, chat, sent.uuid);
  });

  it("in a shared chat, heartbeats do not throw kept answers away, and a member who leaves disappears by time alone", async () => {
    const { owner } = s;
    const chat = (await createChat(owner)).uuid;
    const { answer } = await exchange(owner, chat, '[[fake text="Together." chunk=4]]');
    const { invite } = await json<{ invite: { token: string } }>(await owner.post(`/api/chats/${chat}/invites`, { role: "viewer" }), 201);
    const guest = await signUp(server.url, { name: "Vera Viewer" });
    await json(await guest.post(`/api/invites/${invite.token}`), 200);
    const path = `/chat/${chat}/messages/${answer.uuid}`;
    type Presence = { presence: { name: string }[] };
    const both = async () => {
      await json(await guest.get(path), 200);
      return json<Presence>(await owner.get(path), 200);
    };
    await until("Vera shown to the owner", async () => ((await both()).presence.some((p) => p.name === "Vera Viewer") || undefined), 5_000, 100);
    await sleep(500); // the first (announced) writes of both have landed
    await both();
    // Both keep polling past a heartbeat (every 4 s): quiet ones, so the owner's poll stays kept.
    const before = await lookups(server, "chat_poll");
    const until5s = Date.now() + 5_000;
    while (Date.now() < until5s) {
      expect((await both()).presence.map((p) => p.name)).toEqual(["Vera Viewer"]);
      await sleep(300);
    }
    const after = await lookups(server, "chat_poll");
    expect(after.hit - before.hit).toBeGreaterThan(20);
    expect(after.miss - before.miss).toBe(0);
    // Vera stops polling: nothing is written, yet she leaves the owner's view when her presence
    // runs out (10 s after her last poll), by the kept answer's own time bound.
    const left = Date.now();
    await until("Vera to leave the owner's view", async () => ((await json<Presence>(await owner.get(path), 200)).presence.length === 0 || undefined), 15_000, 300);
    expect(Date.now() - left).toBeLessThan(12_000);
  });

  it("a revoked API token stops at the very next poll", async () => {
    const { owner, answer } = s;
    const created = await json<{ token: string; apiToken: { uuid: string } }>(await owner.post("/api/tokens", { name: "poll cache" }), 201);
    const bearer = anonymous(server.url, { authorization: `Bearer ${created.token}` });
    const path = `/chat/message/${answer.uuid}/tokens/${answer.position}`;
    expect(await hitsOf(server, bearer, path, "api_token")).toBe(5);
    expect((await owner.del(`/api/tokens/${created.apiToken.uuid}`)).status).toBe(200);
    expect((await bearer.get(path)).status).toBe(401);
  });
});

describe.skipIf(!onPostgres)("two servers on one PostgreSQL database (skipped on PGlite: an embedded database belongs to one process)", () => {
  let a: AppServer;
  let b: AppServer;
  let sql: postgres.Sql;
  let s: Setup;
  let env: Record<string, string>;

  beforeAll(async () => {
    const db = await createTestDatabase();
    if (!("url" in db)) throw new Error("expected a PostgreSQL test database");
    env = { ...testAppEnv(db, fakeUrl), METRICS_TOKEN };
    sql = postgres(db.url, { max: 1, onnotice: () => {} });
    [a, b] = await Promise.all([startAppServer({ env }), startAppServer({ env })]);
    cleanups.push(async () => {
      await a.stop("SIGKILL");
      await b.stop("SIGKILL");
      await sql.end({ timeout: 5 });
      await db.drop();
      removeDataDir(env);
    });
    s = await setUp(a, sql);
  });

  it("a message sent through A shows in B's kept poll", async () => {
    const { owner, chat, answer } = s;
    const viaB = owner.at(b.url);
    const path = `/chat/${chat}/messages/${answer.uuid}`;
    expect(await hitsOf(b, viaB, path, "chat_poll")).toBeGreaterThanOrEqual(3); // a presence write may make one a read
    const sent = await send(owner, chat, '[[fake text="From A." chunk=4]]');
    expect(await seenWithin(viaB, path, (_res, body) => (body as { messages?: { uuid: string }[] }).messages?.some((m) => m.uuid === sent.uuid) ?? false), "the change reached the other server's next polls").toBeLessThan(2_000);
    await waitForAnswer(viaB, chat, sent.uuid);
  });

  it("another member's presence and typing reach B", async () => {
    const { owner, member, chat, answer } = s;
    const path = `/chat/${chat}/messages/${answer.uuid}`;
    const ownerOnB = owner.at(b.url);
    await json(await ownerOnB.get(path), 200);
    // The member types in A; the owner's kept poll on B shows it.
    await json(await member.get(`${path}?typing=1`), 200);
    await seenWithin(ownerOnB, path, (_res, body) => (body as { presence?: { name: string; typing: boolean }[] }).presence?.some((p) => p.name === "Mo Member" && p.typing) ?? false);
  });

  it("a member removed through A gets 404 from B at once", async () => {
    const { owner, member, memberId, chat, answer } = s;
    const memberOnB = member.at(b.url);
    const messagesPath = `/chat/${chat}/messages/${answer.uuid}`;
    const tokensPath = `/chat/message/${answer.uuid}/tokens/${answer.position}`;
    expect(await hitsOf(b, memberOnB, messagesPath, "chat_poll")).toBeGreaterThanOrEqual(3); // a presence write may make one a read
    expect(await hitsOf(b, memberOnB, tokensPath, "tokens_poll")).toBeGreaterThanOrEqual(3); // a presence write may make one a read
    expect((await owner.del(`/api/chats/${chat}/members/${memberId}`)).status).toBe(200);
    expect(await seenWithin(memberOnB, messagesPath, (res) => res.status === 404), "the change reached the other server's next polls").toBeLessThan(2_000);
    expect((await memberOnB.get(tokensPath)).status).toBe(404);
  });

  it("an account disabled through A is refused by B at once", async () => {
    const { owner } = s;
    const victim = await signUp(a.url);
    const victimChat = (await createChat(victim)).uuid;
    const { answer } = await exchange(victim, victimChat, '[[fake text="Mine." chunk=4]]');
    const onB = victim.at(b.url);
    const path = `/chat/${victimChat}/messages/${answer.uuid}`;
    expect(await hitsOf(b, onB, path, "chat_poll")).toBeGreaterThanOrEqual(3); // a presence write may make one a read
    const res = await owner.request(`/api/admin/users/${await idOf(victim)}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ disabled: true }) });
    expect(res.status).toBe(200);
    expect(await seenWithin(onB, path, (r) => r.status === 403), "the change reached the other server's next polls").toBeLessThan(2_000);
    expect(((await (await onB.get(path)).json()) as { error: { code: string } }).error.code).toBe("account_disabled");
  });

  it("signing out everywhere through A ends the session on B at once", async () => {
    const user = await signUp(a.url);
    const userChat = (await createChat(user)).uuid;
    const { answer } = await exchange(user, userChat, '[[fake text="Signed in." chunk=4]]');
    const onB = user.at(b.url);
    const path = `/chat/${userChat}/messages/${answer.uuid}`;
    expect(await hitsOf(b, onB, path, "session")).toBeGreaterThanOrEqual(3); // a presence write may make one a read
    expect((await user.request("/api/account/sessions", { method: "DELETE" })).status).toBe(200);
    expect(await seenWithin(onB, path, (r) => r.status === 401), "the change reached the other server's next polls").toBeLessThan(2_000);
  });

  it("an API token revoked through A stops at B at once", async () => {
    const { owner, chat, answer } = s;
    const created = await json<{ token: string; apiToken: { uuid: string } }>(await owner.post("/api/tokens", { name: "two servers" }), 201);
    const bearerB = anonymous(b.url, { authorization: `Bearer ${created.token}` });
    const path = `/chat/${chat}/messages/${answer.uuid}`;
    expect(await hitsOf(b, bearerB, path, "api_token")).toBeGreaterThanOrEqual(3); // a presence write may make one a read
    expect((await owner.del(`/api/tokens/${created.apiToken.uuid}`)).status).toBe(200);
    expect(await seenWithin(bearerB, path, (r) => r.status === 401), "the change reached the other server's next polls").toBeLessThan(2_000);
  });

  it("a share link withdrawn through A answers 404 on B at once", async () => {
    const { owner, chat, answer } = s;
    const { share } = await json<{ share: { shareUuid: string } }>(await owner.post(`/api/chats/${chat}/share`), 201);
    const reader = anonymous(b.url);
    const path = `/api/share/${share.shareUuid}/messages/${answer.uuid}`;
    expect(await hitsOf(b, reader, path, "chat_poll")).toBeGreaterThanOrEqual(3); // a presence write may make one a read
    expect((await owner.del(`/api/chats/${chat}/share`)).status).toBe(200);
    expect(await seenWithin(reader, path, (r) => r.status === 404), "the change reached the other server's next polls").toBeLessThan(2_000);
  });

  it("a listener that loses its connection forgets what it kept, listens again, and stays right", async () => {
    const { owner, chat, answer } = s;
    const viaB = owner.at(b.url);
    const path = `/chat/${chat}/messages/${answer.uuid}`;
    expect(await hitsOf(b, viaB, path, "chat_poll")).toBeGreaterThanOrEqual(3); // a presence write may make one a read
    // Every listening connection of this database is cut (A's and B's).
    const cut = await sql<{ pid: number }[]>`
      select pg_terminate_backend(pid) as pid from pg_stat_activity
      where datname = current_database() and query ilike 'listen %' and pid <> pg_backend_pid()`;
    expect(cut.length).toBe(2);
    // A change while B may not be listening: B must still show it.
    const sent = await send(owner, chat, '[[fake text="While the feed was cut." chunk=4]]');
    expect(await seenWithin(viaB, path, (_res, body) => (body as { messages?: { uuid: string }[] }).messages?.some((m) => m.uuid === sent.uuid) ?? false), "the change reached the other server's next polls").toBeLessThan(2_000);
    await waitForAnswer(viaB, chat, sent.uuid);
    // And B listens again: idle polls are hits once more.
    await until("B to listen again", async () => (await hitsOf(b, viaB, `/chat/${chat}/messages`, "chat_poll", 2)) === 2 || undefined, 15_000, 200);
    const again = await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'listen %'`;
    expect(again[0]!.n).toBe(2);
  });

  it("with POLL_CACHE=off every poll asks the database", async () => {
    const off = await startAppServer({ env: { ...env, POLL_CACHE: "off" } });
    cleanups.push(() => off.stop("SIGKILL"));
    const { owner, chat, answer } = s;
    const viaOff = owner.at(off.url);
    expect(await hitsOf(off, viaOff, `/chat/${chat}/messages/${answer.uuid}`, "chat_poll")).toBe(0);
    expect((await lookups(off, "chat_poll")).miss).toBeGreaterThanOrEqual(5);
  });
});
