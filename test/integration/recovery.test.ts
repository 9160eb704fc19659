/**
 * A server process that dies mid-answer loses nothing: its lease runs out and the next poll,
 * on any server, dispatches the generation again (attempt + 1), which continues the stored text
 * (docs/design.md §5.5): a client that had part of it only ever appends. Only a model that
 * refuses to continue makes it start over (append:false once). After MAX_ATTEMPTS the answer
 * ends failed ("interrupted"); the user's message is never lost.
 */
import { afterAll, describe, expect, it } from "vitest";
import { signUp } from "../support/client.ts";
import { parseDirective, scriptedText } from "../support/fake-openai.ts";
import { createTestDatabase, removeDataDir, startAppServer, testAppEnv, type AppServer, type TestDatabase } from "../support/app-server.ts";
import { createChat, json, messages, pollTokens, send, waitForAnswer, type TokensJson } from "../support/chat.ts";
import { expectInvariants } from "../support/invariants.ts";
import { sharedFakeOpenAIUrl } from "../support/context.ts";
import { logLines } from "./ops-helpers.ts";

const fakeUrl = sharedFakeOpenAIUrl();
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/** Its own database and server: the shared server's PGlite directory cannot be opened twice. */
async function ownServer(extraEnv: Record<string, string> = {}) {
  const db: TestDatabase = await createTestDatabase();
  const env = { ...testAppEnv(db, fakeUrl), LEASE_MS: "1500", ...extraEnv };
  cleanups.push(async () => {
    await db.drop();
    removeDataDir(env);
  });
  const start = async (): Promise<AppServer> => {
    const server = await startAppServer({ env });
    cleanups.push(() => server.stop("SIGKILL"));
    return server;
  };
  return { env, start };
}

describe("recovery after a crash", () => {
  /**
   * Kills the server mid-answer, starts another on the same database, and polls on from what
   * the client had: the answer must continue from its stored text.
   */
  async function killMidAnswer(content: string, extraEnv: Record<string, string> = {}) {
    const { start } = await ownServer(extraEnv);
    const first = await start();
    const client = await signUp(first.url);
    const chat = await createChat(client);
    const user = await send(client, chat.uuid, content);
    const answer = await waitForAnswer(client, chat.uuid, user.uuid);
    const before = await pollTokens(client, answer.uuid, { stopWhen: (r) => r.position > 60 });
    expect(before.status).toBe("pending");

    await first.stop("SIGKILL");
    const second = await start();
    // What the crash left (running, its lease expiring or expired, nobody running it) is a
    // state the invariants allow: the next poll resumes it.
    await expectInvariants(second.url, { leaseGraceMs: null });
    // The same session, through a new process on the same database.
    const moved = client.at(second.url);
    const resumed = await pollTokens(moved, answer.uuid, { from: { text: before.text, position: before.position }, timeoutMs: 40_000 });
    const { messages: stored } = await messages(moved, chat.uuid);
    expect(stored.map((m) => [m.role, m.status])).toEqual([
      ["user", "completed"],
      ["assistant", "completed"],
    ]);
    expect(stored[1]!.content).toBe(resumed.text);
    const runner = logLines(second.logs()).json.filter((l) => l.llmRequestId !== undefined);
    await expectInvariants(second.url);
    return { before, resumed, runner, moved, answer };
  }

  it("continues an answer whose server was killed with SIGKILL, by prefill; the client only ever appends", async () => {
    const content = '[[fake text="Prefilled and continued. " repeat=60 chunk=6 delay=20]]';
    const { before, resumed, runner, moved, answer } = await killMidAnswer(content);
    expect(resumed).toMatchObject({ status: "completed", text: scriptedText(parseDirective(content)), replacements: 0 });
    expect(runner.find((l) => l.msg === "continuing the answer from its text so far")).toMatchObject({ mode: "prefill", attempt: 2 });
    expect(runner.find((l) => l.msg === "generation completed")).toMatchObject({ attempt: 2 });
    // A client that had nothing yet simply appends from 0.
    const fresh = await json<TokensJson>(await moved.get(`/chat/message/${answer.uuid}/tokens/0`), 200);
    expect(fresh).toMatchObject({ append: true, tokens: scriptedText(parseDirective(content)) });

    // Both attempts count in usage. The fake reports one token per chunk of 6 characters:
    // the continuation alone is at most that many tokens, and the killed attempt's text
    // (estimated, 4 characters a token) comes on top.
    const whole = scriptedText(parseDirective(content)).length;
    const continuationAlone = Math.ceil((whole - before.position) / 6) + 1;
    const usage = await json<{ totals: { today: { outputTokens: number; estimated: boolean } } }>(await moved.get("/api/account/usage"), 200);
    expect(usage.totals.today.outputTokens).toBeGreaterThanOrEqual(continuationAlone + Math.ceil(before.position / 4) - 1);
    expect(usage.totals.today.estimated).toBe(true);
  });

  it("continues by asking the model to go on where the server cannot prefill, trimming what it repeats", async () => {
    // Numbered sentences: a text that does not repeat itself, so what the model repeats of its end is unambiguous.
    const text = Array.from({ length: 60 }, (_, i) => `Sentence ${i + 1} of the answer goes on.`).join(" ");
    const content = `[[fake text="${text}" chunk=6 delay=20]]`;
    const { resumed, runner } = await killMidAnswer(content, { OPENAI_COMPATIBLE_CONTINUE: "false" });
    expect(resumed).toMatchObject({ status: "completed", text, replacements: 0 });
    expect(runner.find((l) => l.msg === "continuing the answer from its text so far")).toMatchObject({ mode: "instruction" });
  });

  it("starts over, as the last resort, when the model refuses to continue; the client replaces its text once", async () => {
    const content = '[[fake text="Refuses to continue. " repeat=60 chunk=6 delay=20 no_continue=1]]';
    const { resumed, runner } = await killMidAnswer(content);
    expect(resumed).toMatchObject({ status: "completed", text: scriptedText(parseDirective(content)), replacements: 1 });
    expect(runner.some((l) => l.msg === "the model refused to continue the answer; starting it over")).toBe(true);
  });

  it("ends failed after MAX_ATTEMPTS interrupted attempts, keeping the user's message", async () => {
    const { start } = await ownServer({ MAX_ATTEMPTS: "1" });
    const first = await start();
    const client = await signUp(first.url);
    const chat = await createChat(client);
    const content = '[[fake text="never finishes " repeat=200 chunk=5 delay=30]]';
    const user = await send(client, chat.uuid, content);
    const answer = await waitForAnswer(client, chat.uuid, user.uuid);
    await pollTokens(client, answer.uuid, { stopWhen: (r) => r.position > 20 });
    await first.stop("SIGKILL");

    const second = await start();
    const moved = client.at(second.url);
    const final = await pollTokens(moved, answer.uuid, { everyMs: 200, timeoutMs: 30_000 });
    expect(final.status).toBe("failed");
    expect(final.error).toMatch(/interrupted/);
    expect(final.text.length).toBeGreaterThan(20);
    const list = await messages(moved, chat.uuid);
    expect(list.messages[0]).toMatchObject({ uuid: user.uuid, content, status: "completed" });
    await expectInvariants(second.url);
  });
});
