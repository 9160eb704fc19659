/**
 * Export and import through real HTTP: one chat as Markdown and JSON, all of a user's chats as
 * one file, and that file imported again (into another account, and into the same one) giving
 * identical chats: titles, agents, params, and messages with their roles, text, statuses and
 * order. An import is all or none, idempotent, validated, and size-limited with a clear 413.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestClient } from "../support/client.ts";
import { createChat, exchange, json, messages } from "../support/chat.ts";
import { rawRequest } from "../support/hostile.ts";
import { sharedBaseUrl } from "../support/context.ts";

const baseUrl = sharedBaseUrl();

interface ExportedMessage {
  uuid: string;
  role: string;
  content: string;
  status: string;
  error?: string;
  createdAt: string;
}
interface ExportedChat {
  uuid: string;
  title: string;
  status: string;
  agent: string;
  params: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  messages: ExportedMessage[];
}
interface ExportFile {
  format: string;
  version: number;
  exportedAt: string;
  chats: ExportedChat[];
}
interface ImportResult {
  imported: { uuid: string; title: string; messages: number; from?: string }[];
  skipped: { uuid: string; title: string; reason: string }[];
}

async function exportAll(client: TestClient): Promise<ExportFile> {
  const res = await client.get("/api/export");
  expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="pollchat-export-\d{4}-\d{2}-\d{2}\.json"$/);
  return json<ExportFile>(res, 200);
}

/** What must survive a round trip, without the ids and times that may change. */
function essence(chats: ExportedChat[]) {
  return chats
    .map((c) => ({
      title: c.title,
      status: c.status,
      agent: c.agent,
      params: c.params,
      messages: c.messages.map((m) => ({ role: m.role, content: m.content, status: m.status, error: m.error })),
    }))
    .sort((a, b) => a.title.localeCompare(b.title));
}

let alice: TestClient;
let aliceChats: string[];

beforeAll(async () => {
  alice = await signUp(baseUrl);
  const plain = await createChat(alice, { title: "Plain chat" });
  await exchange(alice, plain.uuid, "first [[fake text=\"One 🌍 answer\"]]");
  await exchange(alice, plain.uuid, "second [[fake text=\"## Two\\n\\n- a\\n- b\"]]");
  const coder = await createChat(alice, { agent: "coder", title: "Code with a greeting" });
  await exchange(alice, coder.uuid, "failing [[fake status=401]]");
  await json(await alice.request(`/api/chats/${coder.uuid}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ status: "archived" }) }), 200);
  const empty = await createChat(alice, { agent: "writer", title: "Only a greeting" });
  aliceChats = [plain.uuid, coder.uuid, empty.uuid];
});

describe("export", () => {
  it("one chat as Markdown, with a filename from its title", async () => {
    const res = await alice.get(`/api/chats/${aliceChats[0]}/export?format=md`);
    const md = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/markdown/);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="plain-chat-\d{4}-\d{2}-\d{2}\.md"$/);
    expect(md).toMatch(/^# Plain chat\n/);
    expect(md).toContain("### You · ");
    expect(md).toContain("One 🌍 answer");
    expect(md).toContain("## Two\n\n- a\n- b");
  });

  it("one chat as JSON: an import file of that chat", async () => {
    const res = await alice.get(`/api/chats/${aliceChats[1]}/export?format=json`);
    expect(res.headers.get("content-disposition")).toMatch(/filename="code-with-a-greeting-\d{4}-\d{2}-\d{2}\.json"/);
    const file = await json<ExportFile>(res, 200);
    expect(file).toMatchObject({ format: "pollchat.chats", version: 1 });
    expect(file.chats).toHaveLength(1);
    const [chat] = file.chats;
    expect(chat).toMatchObject({ uuid: aliceChats[1], title: "Code with a greeting", status: "archived", agent: "coder" });
    expect(chat!.params).toHaveProperty("systemPrompt");
    expect(chat!.messages.map((m) => [m.role, m.status])).toEqual([
      ["assistant", "completed"],
      ["user", "completed"],
      ["assistant", "failed"],
    ]);
    expect(chat!.messages.at(-1)!.error).toBeTruthy();
  });

  it("rejects an unknown format, and another user's chat like a missing one", async () => {
    expect((await alice.get(`/api/chats/${aliceChats[0]}/export?format=pdf`)).status).toBe(400);
    const bob = await signUp(baseUrl);
    expect((await bob.get(`/api/chats/${aliceChats[0]}/export`)).status).toBe(404);
    expect((await bob.get(`/api/chats/${randomUUID()}/export`)).status).toBe(404);
  });

  it("all chats the user owns, in one file, with the stored messages", async () => {
    const file = await exportAll(alice);
    expect(file.chats.map((c) => c.uuid).sort()).toEqual([...aliceChats].sort());
    for (const chat of file.chats) {
      const stored = (await messages(alice, chat.uuid)).messages;
      expect(chat.messages.map((m) => [m.uuid, m.role, m.content, m.status])).toEqual(stored.map((m) => [m.uuid, m.role, m.content, m.status]));
    }
  });
});

describe("import", () => {
  it("into another account gives identical chats (new uuids, since these are taken)", async () => {
    const file = await exportAll(alice);
    const bob = await signUp(baseUrl);
    const result = await json<ImportResult>(await bob.post("/api/import", file), 201);
    expect(result.skipped).toEqual([]);
    expect(result.imported).toHaveLength(3);
    for (const c of result.imported) {
      expect(aliceChats).toContain(c.from);
      expect(aliceChats).not.toContain(c.uuid);
    }
    const again = await exportAll(bob);
    expect(essence(again.chats)).toEqual(essence(file.chats));
    // The same file into the same account again: found, by the uuids derived for it.
    const twice = await json<ImportResult>(await bob.post("/api/import", file), 200);
    expect(twice.imported).toEqual([]);
    expect(twice.skipped.map((c) => c.uuid).sort()).toEqual(result.imported.map((c) => c.uuid).sort());
    expect((await exportAll(bob)).chats).toHaveLength(3);
    // The conversation order is the file's, message by message, and the chats are Bob's to use.
    const plain = again.chats.find((c) => c.title === "Plain chat")!;
    expect((await messages(bob, plain.uuid)).messages.map((m) => m.content)).toEqual(file.chats.find((c) => c.title === "Plain chat")!.messages.map((m) => m.content));
    const { answer } = await exchange(bob, plain.uuid, "a third one [[fake text=imported-and-alive]]");
    expect(answer.role).toBe("assistant");
    // Alice's chats are untouched.
    expect(essence((await exportAll(alice)).chats)).toEqual(essence(file.chats));
  });

  it("into the same account is idempotent, and brings back a deleted chat with its uuid", async () => {
    const file = await exportAll(alice);
    expect(await json<ImportResult>(await alice.post("/api/import", file), 200)).toEqual({
      imported: [],
      skipped: file.chats.map((c) => ({ uuid: c.uuid, title: c.title, reason: "exists" })),
    });
    const gone = aliceChats[0]!;
    await json(await alice.del(`/api/chats/${gone}`), 200);
    const result = await json<ImportResult>(await alice.post("/api/import", file), 201);
    expect(result.imported).toEqual([{ uuid: gone, title: "Plain chat", messages: 4 }]);
    expect(result.skipped).toHaveLength(2);
    const back = (await exportAll(alice)).chats.find((c) => c.uuid === gone)!;
    expect(essence([back])).toEqual(essence(file.chats.filter((c) => c.uuid === gone)));
    expect(back.messages.map((m) => m.uuid)).toEqual(file.chats.find((c) => c.uuid === gone)!.messages.map((m) => m.uuid));
  });

  it("takes a hand-made file: defaults, ties in time kept in file order, pending answers come back cancelled", async () => {
    const carol = await signUp(baseUrl);
    const at = "2024-05-01T10:00:00.000Z";
    const file = {
      format: "pollchat.chats",
      version: 1,
      chats: [
        {
          title: "Hand made",
          messages: [
            { role: "user", content: "b comes first", createdAt: at },
            { role: "assistant", content: "a comes second", createdAt: at },
            { role: "user", content: "no time at all" },
            { role: "assistant", content: "half an ans", status: "pending" },
          ],
        },
      ],
    };
    const result = await json<ImportResult>(await carol.post("/api/import", file), 201);
    const { messages: stored, chat } = await messages(carol, result.imported[0]!.uuid);
    expect(chat).toMatchObject({ title: "Hand made", agent: "assistant", status: "active" });
    expect(stored.map((m) => [m.content, m.status])).toEqual([
      ["b comes first", "completed"],
      ["a comes second", "completed"],
      ["no time at all", "completed"],
      ["half an ans", "cancelled"],
    ]);
  });

  it("is all or none: one bad chat and nothing is created", async () => {
    const dave = await signUp(baseUrl);
    const file = {
      format: "pollchat.chats",
      version: 1,
      chats: [
        { title: "good", messages: [{ role: "user", content: "fine" }] },
        { title: "bad", messages: [{ role: "robot", content: "no such role" }] },
      ],
    };
    const res = await dave.post("/api/import", file);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("validation_error");
    expect(body.error.message).toMatch(/chats\.1\.messages\.0\.role/);
    expect((await exportAll(dave)).chats).toEqual([]);
  });

  it("refuses what it cannot read, with a sentence that says why", async () => {
    const erin = await signUp(baseUrl);
    const cases: [unknown, RegExp][] = [
      [{ format: "something", version: 1, chats: [] }, /format/],
      [{ format: "pollchat.chats", version: 2, chats: [] }, /version/],
      [{ format: "pollchat.chats", version: 1 }, /chats/],
      [{ format: "pollchat.chats", version: 1, chats: [{ messages: [], uuid: "nope" }] }, /uuid/],
    ];
    const same = randomUUID();
    cases.push([{ format: "pollchat.chats", version: 1, chats: [{ uuid: same, messages: [] }, { uuid: same, messages: [] }] }, /more than once/]);
    for (const [body, why] of cases) {
      const res = await erin.post("/api/import", body);
      const text = await res.text();
      expect(res.status, text).toBe(400);
      expect(text).toMatch(why);
    }
    const broken = await erin.request("/api/import", { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(broken.status).toBe(400);
  });

  it("refuses a file over IMPORT_MAX_BYTES with a clear 413", async () => {
    const big = JSON.stringify({ format: "pollchat.chats", version: 1, chats: [{ messages: [{ role: "user", content: "x".repeat(9 * 1024 * 1024) }] }] });
    // A raw client: fetch may see the connection close (the server stops reading) before the answer.
    const headers = { cookie: alice.jar.header(), origin: baseUrl, "content-type": "application/json", "content-length": String(Buffer.byteLength(big)) };
    const res = await rawRequest(baseUrl, { method: "POST", path: "/api/import", headers, body: big, timeoutMs: 30_000 });
    expect(res.status).toBe(413);
    const body = JSON.parse(res.body) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("payload_too_large");
    expect(body.error.message).toMatch(/larger than 8 MB/);
  });
});
