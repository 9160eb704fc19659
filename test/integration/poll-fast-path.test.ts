/**
 * The polls' fast path (lib/http/poll-fast-path.ts, docs/design.md §8.2): on a Node server the
 * chat polls are answered before Next's pipeline. Every other integration test already runs
 * against it (the test servers are production builds; ops-traces.test.ts sees its own span on a
 * poll, so it is the fast path that answers). This one proves it answers exactly as Next's Pages
 * API route does for the same poll: same status, body and headers (compression included), for
 * members, strangers, bad input and htmx.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { anonymous, signUp, type TestClient } from "../support/client.ts";
import { createChat, pollTokens, send, waitForAnswer } from "../support/chat.ts";
import { sharedBaseUrl } from "../support/context.ts";
import { sleep } from "../support/wait.ts";

const baseUrl = sharedBaseUrl();
let owner: TestClient;
let stranger: TestClient;
let chat: string;
let user: string;
let answer: string;

beforeAll(async () => {
  owner = await signUp(baseUrl);
  stranger = await signUp(baseUrl);
  chat = (await createChat(owner)).uuid;
  user = (await send(owner, chat, '[[fake text="The same answer either way."]]')).uuid;
  answer = (await waitForAnswer(owner, chat, user)).uuid;
  await pollTokens(owner, answer);
});

/** Headers that differ per response whoever answers. */
const VOLATILE = new Set(["date", "x-request-id", "keep-alive", "connection", "transfer-encoding", "content-length"]);

async function snapshot(res: Response) {
  const headers = Object.fromEntries([...res.headers].filter(([k]) => !VOLATILE.has(k)));
  return { status: res.status, headers, body: await res.text() };
}

/** The contract path (the fast path) and the Pages route Next serves it from (the destination). */
function pair(kind: "messages" | "after" | "tokens", a: string, b?: string | number): [string, string] {
  switch (kind) {
    case "messages":
      return [`/chat/${a}/messages`, `/api/poll/messages?uuid=${a}`];
    case "after":
      return [`/chat/${a}/messages/${b}`, `/api/poll/messages-after?uuid=${a}&last_uuid=${b}`];
    case "tokens":
      return [`/chat/message/${a}/tokens/${b}`, `/api/poll/tokens?uuid=${a}&position=${b}`];
  }
}

describe("the polls' fast path", () => {
  const cases: [string, () => TestClient, () => [string, string], Record<string, string>?][] = [
    ["all messages", () => owner, () => pair("messages", chat)],
    ["messages after one", () => owner, () => pair("after", chat, user)],
    ["messages after an unknown one (404)", () => owner, () => pair("after", chat, "01a24dbb-3fd7-7012-9705-5b154e11b885")],
    ["tokens from 0", () => owner, () => pair("tokens", answer, 0)],
    ["tokens from the middle", () => owner, () => pair("tokens", answer, 9)],
    ["tokens past the end (append:false)", () => owner, () => pair("tokens", answer, 999)],
    ["a bad position (400)", () => owner, () => pair("tokens", answer, "x")],
    ["a bad uuid (400)", () => owner, () => pair("messages", "not-a-uuid")],
    ["another user's chat (404)", () => stranger, () => pair("messages", chat)],
    ["another user's message (404)", () => stranger, () => pair("tokens", answer, 0)],
    ["nobody signed in (401)", () => anonymous(baseUrl), () => pair("messages", chat)],
    ["htmx messages", () => owner, () => pair("messages", chat), { "hx-request": "true" }],
    ["htmx tokens", () => owner, () => pair("tokens", answer, 3), { "hx-request": "true" }],
  ];
  for (const [what, client, paths, headers] of cases) {
    it(`answers ${what} exactly as Next's Pages route does`, async () => {
      const [fast, next] = paths();
      // The chat may change between the two requests (its title is written after the first
      // answer; a poll marks it read): a pair that differs is asked again, a lasting difference fails.
      let pair: Awaited<ReturnType<typeof snapshot>>[] = [];
      for (let i = 0; i < 4; i++) {
        pair = [await snapshot(await client().get(fast, { headers })), await snapshot(await client().get(next, { headers }))];
        if (JSON.stringify(pair[0]) === JSON.stringify(pair[1])) break;
        await sleep(250);
      }
      expect(pair[0], fast).toEqual(pair[1]);
    });
  }

  it("answers a method other than GET with 405 and Allow, like the route", async () => {
    const [fast, next] = pair("messages", chat);
    const viaFast = await snapshot(await owner.request(fast, { method: "DELETE" }));
    const viaNext = await snapshot(await owner.request(next, { method: "DELETE" }));
    expect(viaFast.status).toBe(405);
    expect(viaFast).toEqual(viaNext);
  });

  it("answers a badly percent-encoded path with 400 JSON, like proxy.ts", async () => {
    const res = await owner.get("/chat/%ff/messages");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("bad_request");
  });

  it("leaves every other path to Next (a trailing slash is Next's redirect)", async () => {
    const res = await owner.get(`/chat/${chat}/messages/`, { redirect: "manual" });
    expect(res.status).toBe(308);
  });
});
