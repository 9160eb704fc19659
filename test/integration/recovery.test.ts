/**
 * A server process that dies mid-answer loses nothing: its lease runs out and the next poll,
 * on any server, dispatches the generation again (attempt + 1), which continues the stored text
 * (docs/design.md §5.3): a client that had part of it only ever appends. Only a model that
 * refuses to continue makes it start over (append:false once). After MAX_ATTEMPTS the answer
 * ends failed ("interrupted"); the user's message is never lost.
 */
import { afterAll, describe, expect, it } from "vitest";
import { signUp } from "../support/client.ts";
import { parseDirective, scriptedText } from "../support/fake-openai.ts";
import { createChat, json, messages, pollTokens, send, waitForAnswer, type TokensJson } from "../support/chat.ts";
import { expectInvariants } from "../support/invariants.ts";
import { cleanUpCrashServers, killMidAnswer, ownServer } from "./crash-helpers.ts";

afterAll(cleanUpCrashServers);

describe("recovery after a crash", () => {
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
