/**
 * A database outage (PostgreSQL stopped, then started again) while answers generate and a
 * client polls. During it every endpoint answers 503 JSON `service_unavailable` with
 * Retry-After, quickly (no request hangs); pages show no stack trace. Afterwards the app
 * reconnects by itself, and the answers complete with nothing lost or generated twice: the
 * runners kept their output in memory and retried their writes.
 *
 * The outage is made on a throwaway cluster of this file's own, never on the shared one.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestClient } from "../support/client.ts";
import { parseDirective, scriptedText } from "../support/fake-openai.ts";
import { createTestDatabase, projectRoot, removeDataDir, startAppServer, testAppEnv, type AppServer } from "../support/app-server.ts";
import { createThrowawayCluster, throwawayClusterUnavailable, type ThrowawayCluster } from "../support/pg-cluster.ts";
import { createChat, messages, pollTokens, send, until, waitForAnswer } from "../support/chat.ts";
import { sharedFakeOpenAIUrl } from "../support/context.ts";
import { checkedFetch } from "../support/contract.ts";

const fakeUrl = sharedFakeOpenAIUrl();
const unavailable = throwawayClusterUnavailable();
const expected = (content: string) => scriptedText(parseDirective(content));

/** No request may take longer than this during the outage. */
const ANSWER_WITHIN_MS = 5_000;
/** How long the database stays down (observed through requests). */
const OUTAGE_MS = 4_000;
const FINISH_RETRIED = "finishing the answer failed; retrying until the database answers";

let cluster: ThrowawayCluster | undefined;
let server: AppServer | undefined;
let env: Record<string, string> | undefined;
let dbUrl = "";

beforeAll(async () => {
  if (unavailable) return;
  cluster = await createThrowawayCluster();
  const db = await createTestDatabase(cluster.url);
  if (!("url" in db)) throw new Error("expected a PostgreSQL database");
  dbUrl = db.url;
  env = { ...testAppEnv(db, fakeUrl), LEASE_MS: "2000" };
  server = await startAppServer({ env });
}, 240_000);

afterAll(async () => {
  await server?.stop("SIGKILL");
  if (server) {
    mkdirSync(path.join(projectRoot, "test-results"), { recursive: true });
    writeFileSync(path.join(projectRoot, "test-results", "db-outage-app-server.log"), server.logs());
  }
  // Always, even after a failure: the cluster's data and configuration go with it.
  cluster?.drop();
  if (env) removeDataDir(env);
});

interface Probe {
  name: string;
  call: (c: TestClient) => Promise<Response>;
}

/** One request with a hard limit, so that a hang fails the test instead of stalling it. */
async function timed(probe: Probe, client: TestClient) {
  const started = Date.now();
  const res = await probe.call(client);
  const body = await res.text();
  return { name: probe.name, status: res.status, retryAfter: res.headers.get("retry-after"), body, ms: Date.now() - started };
}

const signal = () => AbortSignal.timeout(30_000);

describe.skipIf(unavailable)(`database outage on a throwaway PostgreSQL cluster${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  it("answers 503 with Retry-After during the outage, reconnects by itself, and every answer completes intact", async () => {
    const client = await signUp(server!.url);
    // One answer ends while the database is down (its last write must wait), one goes on past the restart.
    const ending = '[[fake text="Ends while the database is down. " repeat=25 chunk=5 delay=30]]';
    const going = '[[fake text="Goes on across the restart. " repeat=90 chunk=5 delay=30]]';
    const chats = [await createChat(client), await createChat(client)];
    const sent = await Promise.all([ending, going].map((content, i) => send(client, chats[i]!.uuid, content)));
    const runs = await Promise.all(
      [ending, going].map(async (content, i) => {
        const [chat, user] = [chats[i]!.uuid, sent[i]!];
        return { content, chat, user, answer: await waitForAnswer(client, chat, user.uuid) };
      }),
    );
    const before = await Promise.all(runs.map((r) => pollTokens(client, r.answer.uuid, { stopWhen: (p) => p.position > 20 })));
    expect(before.map((b) => b.status)).toEqual(["pending", "pending"]);

    const [first] = runs;
    const probes: Probe[] = [
      { name: "messages", call: (c) => c.get(`/chat/${first!.chat}/messages`, { signal: signal() }) },
      { name: "tokens", call: (c) => c.get(`/chat/message/${first!.answer.uuid}/tokens/${before[0]!.position}`, { signal: signal() }) },
      { name: "send", call: (c) => c.request(`/chat/${first!.chat}/send`, postJson({ content: "during the outage" })) },
      { name: "create", call: (c) => c.request("/chat/create", postJson({})) },
      { name: "health", call: (c) => c.get("/api/health", { signal: signal() }) },
    ];

    cluster!.stop();
    const down = Date.now();
    const seen: Awaited<ReturnType<typeof timed>>[] = [];
    // Down for OUTAGE_MS, and at least until the first answer's last write has failed once.
    const finishFailed = () => server!.logs().includes(FINISH_RETRIED);
    while (Date.now() - down < OUTAGE_MS || (!finishFailed() && Date.now() - down < 30_000)) {
      for (const probe of probes) seen.push(await timed(probe, client));
    }
    const page = await client.get("/chat", { signal: signal() });
    const pageHtml = await page.text();
    cluster!.start();

    expect(seen.length).toBeGreaterThanOrEqual(probes.length * 2);
    for (const s of seen) {
      expect(s.status, `${s.name}: ${s.body.slice(0, 300)}`).toBe(503);
      expect(Number(s.retryAfter), `${s.name} Retry-After`).toBeGreaterThan(0);
      const body = JSON.parse(s.body) as { error?: { code?: string; message?: unknown } };
      expect(body.error?.code, s.name).toBe("service_unavailable");
      expect(typeof body.error?.message, s.name).toBe("string");
      expect(s.ms, `${s.name} took ${s.ms} ms`).toBeLessThan(ANSWER_WITHIN_MS);
    }
    // A page is an error page, never a stack trace.
    expect(page.status).toBeGreaterThanOrEqual(500);
    expect(pageHtml).not.toMatch(/\n\s+at \S+ \(|node_modules|\.ts:\d+|ECONNREFUSED/);

    // The app reconnects without a restart of its own.
    await until("the app to reach the database again", async () => ((await checkedFetch(`${server!.url}/api/health`)).status === 200 ? true : undefined), 30_000, 200);

    // Both answers complete with the exact text, without being generated again (no append:false).
    // A pooled connection that died with the old server can still answer one 503 after the
    // health check passes; the clients wait out its Retry-After, and so does this poll.
    const after = await Promise.all(
      runs.map((r, i) => pollTokens(client, r.answer.uuid, { from: before[i], timeoutMs: 45_000, retryUnavailable: true })),
    );
    for (const [i, r] of runs.entries()) {
      expect(after[i]).toMatchObject({ status: "completed", text: expected(r.content), replacements: 0 });
    }
    const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
    try {
      const requests = await sql<{ status: string; attempt: number }[]>`select status, attempt from llm_request order by created_at`;
      expect(requests).toEqual([
        { status: "completed", attempt: 1 },
        { status: "completed", attempt: 1 },
      ]);
    } finally {
      await sql.end({ timeout: 5 });
    }

    // Nothing was lost, and the chat goes on.
    for (const r of runs) {
      const { messages: stored } = await messages(client, r.chat);
      expect(stored.map((m) => [m.uuid, m.role, m.status, m.content])).toEqual([
        [r.user.uuid, "user", "completed", r.content],
        [r.answer.uuid, "assistant", "completed", expected(r.content)],
      ]);
    }
    const next = '[[fake text="Back to normal." chunk=4]]';
    const user = await send(client, first!.chat, next);
    expect((await pollTokens(client, (await waitForAnswer(client, first!.chat, user.uuid)).uuid)).text).toBe(expected(next));

    const logs = server!.logs();
    expect(/unhandledRejection|uncaughtException|generation crashed/.exec(logs)?.[0]).toBeUndefined();
    // The answer that ended during the outage waited for the database instead of failing.
    expect(logs.includes(FINISH_RETRIED), "the first answer's last write was retried").toBe(true);
  }, 180_000);
});

function postJson(body: unknown): RequestInit {
  return { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: signal() };
}
