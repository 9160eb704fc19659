/**
 * Shutdown that ends (docs/design.md §7.2). On SIGTERM the server stops listening, answers what
 * is in flight with `Connection: close`, starts no answer of its own (a message sent meanwhile
 * is queued for another server), gives an answer in progress SHUTDOWN_GRACE_MS to finish, hands
 * it over (its lease released, so the next server resumes it at once instead of after the lease)
 * and exits within SHUTDOWN_GRACE_MS + 2 s, even while a client keeps polling on a kept-alive
 * connection (before, such a client kept a stopping server answering for minutes). With nothing
 * in progress it exits at once, without waiting out the grace period.
 *
 * Times are bounded with slack that follows the machine's pace: the median round trip of the
 * client's own polls before the signal.
 */
import http from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { signUp, type TestClient } from "../support/client.ts";
import { parseDirective, scriptedText } from "../support/fake-openai.ts";
import { createTestDatabase, removeDataDir, startAppServer, testAppEnv, type AppServer } from "../support/app-server.ts";
import { createChat, messages, pollTokens, send, until, waitForAnswer, type MessageJson, type TokensJson } from "../support/chat.ts";
import { expectInvariants } from "../support/invariants.ts";
import { sharedFakeOpenAIUrl } from "../support/context.ts";
import { logLines } from "./ops-helpers.ts";

const fakeUrl = sharedFakeOpenAIUrl();
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const SHUTTING_DOWN = /"msg":"SIGTERM: shutting down/;

interface Polled {
  sentAt: number;
  ms: number;
  connection: string | undefined;
}

/**
 * A client that asks for a message's tokens back to back on one kept-alive connection (node's
 * http Agent), as a busy tab behind a proxy does, until a request fails (the server stopped
 * listening) or it is stopped.
 */
function keepAlivePoller(client: TestClient, messageUuid: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const polled: Polled[] = [];
  let stopped = false;
  let failure: string | undefined;
  let position = 0;
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const sentAt = Date.now();
      const req = http.get(`${client.baseUrl}/chat/message/${messageUuid}/tokens/${position}`, { agent, headers: { cookie: client.jar.header() } }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => {
          polled.push({ sentAt, ms: Date.now() - sentAt, connection: res.headers.connection });
          if (res.statusCode === 200) position = (JSON.parse(body) as TokensJson).position;
          resolve();
        });
        res.on("error", reject);
      });
      req.on("error", reject);
    });
  const done = (async () => {
    while (!stopped) {
      try {
        await once();
      } catch (err) {
        failure = (err as NodeJS.ErrnoException).code ?? String(err);
        break;
      }
    }
    agent.destroy();
  })();
  return {
    polled,
    failure: () => failure,
    /** The median round trip so far: the machine's pace. */
    medianMs: () => [...polled].map((p) => p.ms).sort((a, b) => a - b)[Math.floor(polled.length / 2)] ?? 0,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

/**
 * POST /chat/{uuid}/send whose body is sent in two halves: the request is in flight (its head
 * sent, its body not) until `finish()` sends the rest.
 */
function slowSend(client: TestClient, chatUuid: string, content: string) {
  const body = Buffer.from(JSON.stringify({ content }));
  const half = Math.floor(body.length / 2);
  let finish!: () => void;
  let connected!: () => void;
  const connection = new Promise<void>((resolve) => (connected = resolve));
  const answered = new Promise<{ status: number; connection: string | undefined; message: MessageJson }>((resolve, reject) => {
    const req = http.request(
      `${client.baseUrl}/chat/${chatUuid}/send`,
      {
        method: "POST",
        agent: false,
        headers: { cookie: client.jar.header(), origin: client.baseUrl, "content-type": "application/json", "content-length": String(body.length) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, message: (JSON.parse(text) as { message: MessageJson }).message }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.on("socket", (socket) => socket.once("connect", connected));
    req.write(body.subarray(0, half));
    finish = () => req.end(body.subarray(half));
  });
  // Awaited by the test; a server that died first must fail the test, not the run.
  answered.catch(() => {});
  return { answered, connection, finish: () => finish() };
}

/** Sends SIGTERM to the server; resolves with how long it took to exit, and how. */
async function terminate(server: AppServer): Promise<{ ms: number; code: number | null; signal: NodeJS.Signals | null; done: Record<string, unknown> | undefined }> {
  const signalled = Date.now();
  await server.stop("SIGTERM");
  const ms = Date.now() - signalled;
  const done = logLines(server.logs()).json.find((l) => l.msg === "shutdown done; exiting");
  return { ms, code: server.child.exitCode, signal: server.child.signalCode, done };
}

describe("shutdown that ends", () => {
  it("exits within SHUTDOWN_GRACE_MS + 2 s while a client keeps polling; what was in flight is answered with Connection: close; the next server completes the answer handed over and the message queued meanwhile", async () => {
    const db = await createTestDatabase();
    // A long lease: only the handover (not expiry) can explain a quick resume.
    const graceMs = 1000;
    const env = { ...testAppEnv(db, fakeUrl), SHUTDOWN_GRACE_MS: String(graceMs), LEASE_MS: "60000" };
    cleanups.push(async () => {
      await db.drop();
      removeDataDir(env);
    });
    const first = await startAppServer({ env });
    cleanups.push(() => first.stop("SIGKILL"));
    const client = await signUp(first.url);
    const chat = await createChat(client);
    const otherChat = await createChat(client);
    const content = '[[fake text="handed over on shutdown " repeat=60 chunk=6 delay=25]]';
    const user = await send(client, chat.uuid, content);
    const answer = await waitForAnswer(client, chat.uuid, user.uuid);
    const before = await pollTokens(client, answer.uuid, { stopWhen: (r) => r.position > 30 });
    expect(before.status).toBe("pending");

    const poller = keepAlivePoller(client, answer.uuid);
    cleanups.push(() => poller.stop());
    await until("a few polls on the kept-alive connection", () => Promise.resolve(poller.polled.length >= 20 || undefined));
    const paceMs = poller.medianMs();
    const queuedContent = '[[fake text="queued while the server stopped " repeat=3]]';
    const inFlight = slowSend(client, otherChat.uuid, queuedContent);
    await inFlight.connection;
    // Two more answers to the poller: the server's loop has turned since, so it has accepted
    // that connection (and read the request's head) before the signal.
    const polledSoFar = poller.polled.length;
    await until("two more polls", () => Promise.resolve(poller.polled.length >= polledSoFar + 2 || undefined), 20_000, 10);

    const stopping = terminate(first);
    await until("the server to begin its shutdown", () => Promise.resolve(SHUTTING_DOWN.test(first.logs()) || undefined), 30_000, 20);
    const sawShutdownAt = Date.now();
    inFlight.finish();
    const sent = await inFlight.answered;
    const exit = await stopping;
    await until("the poller to find the server gone", () => Promise.resolve(poller.failure()), 10_000, 10);
    await poller.stop();

    // Within the bound, on its own (not at its deadline), with Next's exit code for SIGTERM.
    const slackMs = Math.max(1000, 20 * paceMs);
    console.log(`shutdown while polling: exited ${exit.ms} ms after SIGTERM (server's own count ${String(exit.done?.ms)} ms); grace ${graceMs} ms, bound ${graceMs + 2000} ms + ${slackMs} ms slack (poll p50 ${paceMs} ms)`);
    expect(exit.ms).toBeLessThan(graceMs + 2000 + slackMs);
    expect(exit.signal).toBeNull();
    expect(exit.code).toBe(143);
    expect(exit.done).toMatchObject({ forced: false });
    expect(Number(exit.done?.ms)).toBeLessThan(graceMs + 2000 + slackMs);
    expect(first.logs()).toMatch(/handing over 1 answer/);

    // The request in flight was answered, with Connection: close, and queued, not started here.
    expect(sent.status).toBe(201);
    expect(sent.connection).toBe("close");
    // The poller's connection ended: every answer to a poll sent once shutdown had begun said
    // Connection: close, and then the server was gone (no answers for minutes).
    const late = poller.polled.filter((p) => p.sentAt > sawShutdownAt);
    expect(late.length).toBeLessThanOrEqual(1);
    for (const p of late) expect(p.connection).toBe("close");
    expect(poller.failure()).toMatch(/ECONNREFUSED|ECONNRESET|EPIPE|socket hang up/);

    const second = await startAppServer({ env });
    cleanups.push(() => second.stop("SIGKILL"));
    const moved = client.at(second.url);
    const resumedAt = Date.now();
    const resumed = await pollTokens(moved, answer.uuid, { from: { text: before.text, position: before.position }, timeoutMs: 40_000 });
    expect(resumed.status).toBe("completed");
    expect(resumed.text).toBe(scriptedText(parseDirective(content)));
    // The next server continues the stored text: the client only appends.
    expect(resumed.replacements).toBe(0);
    // Well before the minute-long lease would have let it go.
    expect(Date.now() - resumedAt).toBeLessThan(30_000);
    const { messages: stored } = await messages(moved, chat.uuid);
    expect(stored.map((m) => [m.role, m.status, m.content])).toEqual([
      ["user", "completed", content],
      ["assistant", "completed", resumed.text],
    ]);

    // The message sent while the first server stopped: its own polls start it on this one.
    const queuedAnswer = await waitForAnswer(moved, otherChat.uuid, sent.message.uuid);
    const queued = await pollTokens(moved, queuedAnswer.uuid, { timeoutMs: 40_000 });
    expect(queued).toMatchObject({ status: "completed", text: scriptedText(parseDirective(queuedContent)) });
    const generated = logLines(first.logs()).json.filter((l) => l.msg === "generation started");
    expect(generated).toHaveLength(1);
    await expectInvariants(second.url);
  });

  it("exits at once when nothing is in progress, without waiting out the grace period, even while a client keeps polling", async () => {
    const db = await createTestDatabase();
    const graceMs = 30_000;
    const env = { ...testAppEnv(db, fakeUrl), SHUTDOWN_GRACE_MS: String(graceMs) };
    cleanups.push(async () => {
      await db.drop();
      removeDataDir(env);
    });
    const server = await startAppServer({ env });
    cleanups.push(() => server.stop("SIGKILL"));
    const client = await signUp(server.url);
    const chat = await createChat(client);
    const done = await send(client, chat.uuid, '[[fake text="done before the signal"]]');
    const answer = await waitForAnswer(client, chat.uuid, done.uuid);
    expect((await pollTokens(client, answer.uuid)).status).toBe("completed");
    await expectInvariants(server.url);

    // One kept-alive connection left idle (the test client's own), and one busy with a poller.
    const poller = keepAlivePoller(client, answer.uuid);
    cleanups.push(() => poller.stop());
    await until("a few polls on the kept-alive connection", () => Promise.resolve(poller.polled.length >= 20 || undefined));
    const paceMs = poller.medianMs();
    const exit = await terminate(server);
    await poller.stop();

    const promptMs = 2000 + 20 * paceMs;
    console.log(`shutdown with nothing in progress: exited ${exit.ms} ms after SIGTERM (server's own count ${String(exit.done?.ms)} ms); grace ${graceMs} ms, bound ${promptMs} ms (poll p50 ${paceMs} ms)`);
    expect(exit.ms).toBeLessThan(Math.min(promptMs, graceMs / 2));
    expect(exit).toMatchObject({ code: 143, signal: null, done: { forced: false } });
  });
});
