/**
 * Answers in parts (docs/design.md §3.11), through a real server, the fake model's real wire
 * formats (Chat Completions `reasoning_content` and `tool_calls`; Anthropic's `thinking` and
 * `tool_use` blocks) and a real MCP server from the npm registry (server-everything, over
 * stdio): reasoning, built-in and MCP tool calls, an approval clicked by a second member, the
 * tokens poll's `?parts=` deltas next to an unchanged text-only poll, and a SIGKILL in the
 * middle of reasoning and of a tool call. Its own server (its own settings): PostgreSQL and
 * PGlite alike.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestClient } from "../support/client.ts";
import { createChat, json, messages, send, until, waitForAnswer, type MessageJson } from "../support/chat.ts";
import { cleanUpCrashServers, ownServer } from "./crash-helpers.ts";
import type { AppServer } from "../support/app-server.ts";
import { sharedFakeOpenAIUrl } from "../support/context.ts";
import { applyPartEvents, type Part, type PartsDelta, type ToolPart } from "../../lib/parts.ts";

const EVERYTHING = fileURLToPath(new URL("../../node_modules/@modelcontextprotocol/server-everything/dist/index.js", import.meta.url));
const DOCS = fileURLToPath(new URL("../support/mcp-docs-server.mjs", import.meta.url));

interface PartsTokens {
  tokens: string;
  status: string;
  append: boolean;
  position: number;
  error?: string;
  parts?: PartsDelta;
}

/** A client that knows parts: polls tokens with ?parts= and folds what comes, until `done` says so. */
async function followParts(client: TestClient, messageUuid: string, done: (s: { text: string; parts: Part[]; status: string }) => boolean, timeoutMs = 60_000) {
  let text = "";
  let position = 0;
  let cursor = "0";
  let parts: Part[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = await json<PartsTokens>(await client.get(`/chat/message/${messageUuid}/tokens/${position}?parts=${encodeURIComponent(cursor)}`), 200);
    text = t.append ? text + t.tokens : t.tokens;
    position = t.position;
    expect(t.parts).toBeDefined();
    parts = applyPartEvents(t.parts!.reset ? [] : parts, t.parts!.events);
    cursor = t.parts!.cursor;
    const state = { text, parts, status: t.status, cursor, ...(t.error ? { error: t.error } : {}) };
    if (done(state)) return state;
    if (t.status !== "pending") throw new Error(`the answer ended (${t.status}: ${t.error ?? ""}) before the awaited state: ${JSON.stringify(state).slice(0, 800)}`);
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(state).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A JSON value as a directive's quoted value (the directive unescapes \\ and \"). */
const q = (value: unknown) => `"${JSON.stringify(value).replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;

const ended = (s: { status: string }) => s.status !== "pending";
const tools = (parts: Part[]) => parts.filter((p): p is ToolPart => p.type === "tool");

let server: AppServer;
let start: () => Promise<AppServer>;
let owner: TestClient;

beforeAll(async () => {
  const own = await ownServer({
    REASONING_MODELS: "*",
    ANTHROPIC_API_KEY: "test-key",
    // The Anthropic provider talks to the same fake (its Messages API).
    ANTHROPIC_BASE_URL: sharedFakeOpenAIUrl(),
    ANTHROPIC_MODELS: "fake-claude",
    // Two node children started cold on a loaded machine (CI runs two suites at once on two
    // cores) can take longer than the 5 s an operator's dead server should cost an answer.
    MCP_CONNECT_TIMEOUT_MS: "60000",
    MCP_SERVERS: JSON.stringify([
      { name: "everything", command: process.execPath, args: [EVERYTHING, "stdio"], approval: ["get-sum"] },
      { name: "docs", command: process.execPath, args: [DOCS] },
    ]),
  });
  start = own.start;
  server = await start();
  owner = await signUp(server.url, { name: "Olivia" });
}, 120_000);
afterAll(cleanUpCrashServers);

describe("answers in parts", () => {
  it("streams reasoning as a part (Chat Completions reasoning_content), ends it when the text starts; a text-only poll sees only the text", async () => {
    const chat = await createChat(owner);
    const user = await send(owner, chat.uuid, '[[fake reasoning="First I add two and two. That makes four." text="The answer is 4." chunk=4 delay=15]]');
    const answer = await waitForAnswer(owner, chat.uuid, user.uuid);
    // Mid-answer, the reasoning is there before any text.
    const thinking = await followParts(owner, answer.uuid, (s) => s.parts.some((p) => p.type === "reasoning" && p.text.length > 0) || ended(s));
    expect(thinking.parts[0]).toMatchObject({ type: "reasoning" });
    const final = await followParts(owner, answer.uuid, ended);
    expect(final.status, JSON.stringify(final).slice(0, 800)).toBe("completed");
    expect(final.text).toBe("The answer is 4.");
    const [reasoning, text] = final.parts;
    expect(reasoning).toMatchObject({ type: "reasoning", text: "First I add two and two. That makes four." });
    expect(reasoning?.type === "reasoning" && Date.parse(reasoning.endedAt!) >= Date.parse(reasoning.startedAt)).toBe(true);
    expect(text).toEqual({ type: "text", start: 0, step: 0 });
    // A client that knows only text: the same answer, no parts field.
    const plain = await json<PartsTokens>(await owner.get(`/chat/message/${answer.uuid}/tokens/0`), 200);
    expect(plain).toEqual({ tokens: "The answer is 4.", status: "completed", append: true, position: 16 });
    // The messages poll carries the folded parts and the cursor a client polls on from (nothing new).
    const listed = (await messages(owner, chat.uuid)).messages.find((m) => m.uuid === answer.uuid) as MessageJson & { parts?: Part[]; partsCursor?: string };
    expect(listed.parts).toEqual(final.parts);
    const again = await json<PartsTokens>(await owner.get(`/chat/message/${answer.uuid}/tokens/16?parts=${listed.partsCursor}`), 200);
    expect(again.parts).toEqual({ events: [], reset: false, cursor: listed.partsCursor });
    // A cursor that is no cursor is a 400, not a 500.
    expect((await owner.get(`/chat/message/${answer.uuid}/tokens/0?parts=nonsense`)).status).toBe(400);
  });

  it("shows Anthropic extended thinking as a Thinking part", async () => {
    const chat = await createChat(owner, { model: "anthropic:fake-claude" });
    const user = await send(owner, chat.uuid, '[[fake reasoning="Thinking in blocks." text="Done thinking."]]', { model: "anthropic:fake-claude" });
    const answer = await waitForAnswer(owner, chat.uuid, user.uuid);
    const final = await followParts(owner, answer.uuid, ended);
    expect(final).toMatchObject({ status: "completed", text: "Done thinking." });
    expect(final.parts[0]).toMatchObject({ type: "reasoning", text: "Thinking in blocks." });
  });

  it("runs a built-in tool and an MCP tool (server-everything over stdio), each call a part with input and output; the model gets the output", async () => {
    const chat = await createChat(owner);
    const user = await send(
      owner,
      chat.uuid,
      `[[fake tool=calculator tool_input=${q({"expression":"6*7"})} tool_then=everything_echo tool_then_input=${q({"message":"hi there"})} text="Got {{tool_output_1}} and {{tool_output}}."]]`,
    );
    const answer = await waitForAnswer(owner, chat.uuid, user.uuid);
    const final = await followParts(owner, answer.uuid, ended);
    expect(final.status, JSON.stringify(final).slice(0, 800)).toBe("completed");
    const [calc, echo] = tools(final.parts);
    expect(calc).toMatchObject({ name: "calculator", source: "builtin", status: "done", input: { expression: "6*7" }, step: 0 });
    expect(JSON.stringify(calc!.output)).toContain("42");
    expect(echo).toMatchObject({ name: "everything_echo", source: "everything", status: "done", input: { message: "hi there" }, step: 1 });
    expect(JSON.stringify(echo!.output)).toContain("Echo: hi there");
    expect(final.text).toContain("42");
    expect(final.text).toContain("Echo: hi there");
    // The admin sees which tools ran (the first account is the admin), never their input or output.
    const runs = await json<{ runs: { tool: string; status: string }[] }>(await owner.get("/api/admin/tool-runs"), 200);
    expect(runs.runs.map((r) => r.tool)).toEqual(expect.arrayContaining(["calculator", "everything_echo"]));
    expect(JSON.stringify(runs)).not.toContain("hi there");
  });

  it("shows the pages a tool read as the answer's sources (web links only), on every reader's screen", async () => {
    const chat = await createChat(owner);
    const user = await send(owner, chat.uuid, `[[fake tool=docs_lookup tool_input=${q({ topic: "polling" })} text="See the guide."]]`);
    const answer = await waitForAnswer(owner, chat.uuid, user.uuid);
    const final = await followParts(owner, answer.uuid, ended);
    expect(final.status, JSON.stringify(final).slice(0, 800)).toBe("completed");
    const sources = final.parts.filter((p) => p.type === "source");
    expect(sources).toEqual([
      { type: "source", url: "https://docs.example.org/polling", title: "The polling guide", from: "docs_lookup" },
      { type: "source", url: "https://docs.example.org/faq", title: "FAQ", from: "docs_lookup" },
    ]);
    // The same list comes with the message to a reader who arrives later.
    const listed = (await messages(owner, chat.uuid)).messages.find((m) => m.uuid === answer.uuid) as MessageJson & { parts?: Part[] };
    expect(listed.parts?.filter((p) => p.type === "source")).toEqual(sources);
  });

  it("goes on after a SIGKILL in the text that follows a completed tool call, without calling the tool again", async () => {
    const chat = await createChat(owner);
    // Numbered sentences, so that the text the continuation joins onto is unambiguous.
    const long = Array.from({ length: 40 }, (_, i) => `Sentence ${i + 1} stands.`).join(" ");
    const user = await send(owner, chat.uuid, `[[fake tool=calculator tool_input=${q({ expression: "2^10" })} text="${long}" chunk=6 tps=30]]`);
    const answer = await waitForAnswer(owner, chat.uuid, user.uuid);
    await followParts(owner, answer.uuid, (s) => tools(s.parts)[0]?.status === "done" && s.text.length > 40);
    const before = (await json<{ runs: { tool: string }[] }>(await owner.get("/api/admin/tool-runs"), 200)).runs.length;
    await server.stop("SIGKILL");
    server = await start();
    owner = owner.at(server.url);
    const moved = owner;
    const final = await followParts(moved, answer.uuid, ended, 90_000);
    expect(final.status, JSON.stringify(final).slice(0, 800)).toBe("completed");
    expect(final.text).toBe(long);
    expect(final.parts.find((p) => p.type === "text" && p.start === 0)).toBeDefined();
    expect(tools(final.parts)).toHaveLength(1);
    expect(tools(final.parts)[0]).toMatchObject({ name: "calculator", status: "done" });
    // No new tool run was recorded by the server that continued the answer.
    expect((await json<{ runs: { tool: string }[] }>(await moved.get("/api/admin/tool-runs"), 200)).runs.length).toBe(before);
  }, 180_000);

  it("stores what jsonb refuses (a NUL, a lone surrogate in a tool's input and output) as U+FFFD, and the answer completes", async () => {
    const chat = await createChat(owner);
    const user = await send(owner, chat.uuid, `[[fake tool=everything_echo tool_input=${q({ message: "a\u0000b\ud800c" })} text="Said {{tool_output}}"]]`);
    const answer = await waitForAnswer(owner, chat.uuid, user.uuid);
    const final = await followParts(owner, answer.uuid, ended);
    expect(final.status, JSON.stringify(final).slice(0, 800)).toBe("completed");
    const [echo] = tools(final.parts);
    expect(echo).toMatchObject({ status: "done", input: { message: "a\ufffdb\ufffdc" } });
  });

  it("waits for a member's approval: a viewer cannot give it, an editor in another session can, once", async () => {
    const chat = await createChat(owner);
    const join = async (role: string) => {
      const member = await signUp(server.url, { name: role === "editor" ? "Eddie" : "Vera" });
      const { invite } = await json<{ invite: { token: string } }>(await owner.post(`/api/chats/${chat.uuid}/invites`, { role, expiresInHours: 1 }), 201);
      await json(await member.post(`/api/invites/${invite.token}`), 200);
      return member;
    };
    const [editor, viewer] = [await join("editor"), await join("viewer")];
    const user = await send(owner, chat.uuid, `[[fake tool=everything_get-sum tool_input=${q({"a":2,"b":40})} text="The sum: {{tool_output}}"]]`);
    const answer = await waitForAnswer(owner, chat.uuid, user.uuid);
    const waiting = await followParts(editor, answer.uuid, (s) => tools(s.parts)[0]?.status === "awaiting-approval");
    const call = tools(waiting.parts)[0]!;
    expect(call).toMatchObject({ name: "everything_get-sum", needsApproval: true, input: { a: 2, b: 40 } });
    const decide = (who: TestClient, approve: unknown) => who.post(`/chat/message/${answer.uuid}/tools/${call.callId}`, { approve });
    expect((await decide(viewer, true)).status).toBe(403);
    expect((await decide(editor, "maybe")).status).toBe(400);
    expect(await json(await decide(editor, true), 200)).toEqual({ approved: true });
    expect((await decide(owner, false)).status).toBe(409);
    const final = await followParts(owner, answer.uuid, ended);
    expect(final.status, JSON.stringify(final).slice(0, 800)).toBe("completed");
    expect(tools(final.parts)[0]).toMatchObject({ status: "done", decidedBy: { name: "Eddie" } });
    expect(final.text).toContain("The sum of 2 and 40 is 42.");
    // A share link shows who allowed it by name, never their account.
    const { share } = await json<{ share: { shareUuid: string } }>(await owner.post(`/api/chats/${chat.uuid}/share`), 201);
    const shared = await json<PartsTokens>(await owner.get(`/api/share/${share.shareUuid}/tokens/${answer.uuid}/0?parts=0`), 200);
    const sharedCall = tools(applyPartEvents([], shared.parts!.events))[0]!;
    expect(sharedCall.decidedBy).toEqual({ id: "", name: "Eddie" });
    const sharedList = await json<{ messages: (MessageJson & { parts?: Part[] })[] }>(await owner.get(`/api/share/${share.shareUuid}/messages`), 200);
    expect(JSON.stringify(sharedList)).not.toContain(tools(final.parts)[0]!.decidedBy!.id);
  });

  it("goes on after a SIGKILL in the middle of a tool call without running it again, and after one in the middle of reasoning", async () => {
    const chat = await createChat(owner);
    const user = await send(
      owner,
      chat.uuid,
      `[[fake tool=everything_trigger-long-running-operation tool_input=${q({"duration":6,"steps":6})} text="After the tool: {{tool_output}}"]]`,
    );
    const answer = await waitForAnswer(owner, chat.uuid, user.uuid);
    await followParts(owner, answer.uuid, (s) => tools(s.parts)[0]?.status === "running");
    await server.stop("SIGKILL");
    server = await start();
    owner = owner.at(server.url);
    const moved = owner;
    const final = await followParts(moved, answer.uuid, ended);
    expect(final.status, final.error).toBe("completed");
    const [call] = tools(final.parts);
    expect(call).toMatchObject({ status: "error", error: "The server stopped while this call was under way; it was not run again." });
    expect(final.text).toContain("After the tool: The server stopped while this call was under way");
    const runs = await json<{ runs: { tool: string }[] }>(await moved.get("/api/admin/tool-runs"), 200);
    expect(runs.runs.filter((r) => r.tool === "everything_trigger-long-running-operation")).toHaveLength(0);

    // Reasoning cut off by the crash ends; the answer completes with all its text.
    const reasoning = "Step by step, slowly. ".repeat(30);
    const user2 = await send(moved, chat.uuid, `[[fake reasoning="${reasoning}" text="Thought it through." chunk=6 tps=20]]`);
    const answer2 = await waitForAnswer(moved, chat.uuid, user2.uuid);
    await followParts(moved, answer2.uuid, (s) => s.parts.some((p) => p.type === "reasoning" && p.text.length > 30));
    await server.stop("SIGKILL");
    server = await start();
    const after = owner.at(server.url);
    const done = await followParts(after, answer2.uuid, ended, 90_000);
    expect(done).toMatchObject({ status: "completed", text: "Thought it through." });
    const thoughts = done.parts.filter((p) => p.type === "reasoning");
    expect(thoughts.length).toBeGreaterThanOrEqual(1);
    for (const t of thoughts) expect(t.type === "reasoning" && t.endedAt).toBeTruthy();
    await until("the answer in the list", async () => (await messages(after, chat.uuid)).messages.find((m) => m.uuid === answer2.uuid && m.status === "completed"));
  }, 180_000);
});
