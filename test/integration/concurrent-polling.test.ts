/**
 * The soak's correctness check in miniature (the soak itself, 30 s to 5 minutes of load, is a
 * benchmark: `npm run bench`, `npm run bench:soak`, bench/soak.ts). Several answers generate
 * at once on the shared server; each is followed by two clients polling its tokens every
 * 300 ms (one from the start, one joining later from what the message list shows) while its
 * owner polls the message list. Every text a client rebuilds must equal what the model sent
 * and what was stored: no lost or doubled token, no error, no answer left unfinished.
 *
 * No fixed deadline: the machine's pace is measured first (one answer of the same shape,
 * alone), and the concurrent answers get a multiple of it. On a busy machine the solo answer is
 * slow too, and the deadline grows with it.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../lib/random.ts";
import { codePoints, planAnswer, type AnswerShape, type PlannedAnswer } from "../../bench/soak/answers.ts";
import { signUp, type TestClient } from "../support/client.ts";
import { createChat, messages, pollTokens, send, until, type MessageJson, type PollResult } from "../support/chat.ts";
import { sharedBaseUrl } from "../support/context.ts";

const baseUrl = sharedBaseUrl();
const ANSWERS = 6;
const POLL_MS = 300;
// About 2 s of streaming each, 300 to 900 characters with multi-unit code points.
const SHAPE: AnswerShape = { minChars: 300, maxChars: 900, minMs: 2000, maxMs: 2000 };
/**
 * The concurrent answers get this many times the solo answer's time, each: as if they all ran
 * one after the other (they share two cores), twice over.
 */
const SLACK = 2 * ANSWERS;

interface Followed {
  id: string;
  polledFromStart: PollResult;
  polledJoined: PollResult;
  stored: MessageJson;
  listPolls: number;
}

/** Sends `plan` and follows its answer like the app's clients do, within `deadline` (ms since epoch). */
async function follow(client: TestClient, chatUuid: string, plan: PlannedAnswer, deadline: number): Promise<Followed> {
  const left = () => Math.max(1, deadline - Date.now());
  const user = await send(client, chatUuid, plan.content);
  const answer = await until(
    "the assistant message",
    async () => (await messages(client, chatUuid, user.uuid)).messages.find((m) => m.role === "assistant"),
    left(),
    POLL_MS,
  );

  // The owner's message list, polled like the app does: a pending answer's text so far is
  // always a prefix of the full text (nothing doubled), and it ends with all of it.
  let listPolls = 0;
  const list = (async () => {
    for (;;) {
      const m = (await messages(client, chatUuid, user.uuid)).messages.find((x) => x.uuid === answer.uuid);
      listPolls++;
      expect(m, "the answer is in the message list").toBeDefined();
      expect(plan.expected.startsWith(m!.content), `list shows a prefix of ${plan.expected.slice(0, 40)}…`).toBe(true);
      expect(m!.position).toBe(codePoints(m!.content));
      if (m!.status !== "pending") return;
      if (Date.now() > deadline) throw new Error(`answer ${answer.uuid} was still pending in the message list at the deadline`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();

  const fromStart = pollTokens(client, answer.uuid, { everyMs: POLL_MS, timeoutMs: left() });
  // A second client opens the chat a poll later and follows on from what the list showed it.
  await new Promise((r) => setTimeout(r, POLL_MS));
  const joined = (await messages(client, chatUuid, user.uuid)).messages.find((m) => m.uuid === answer.uuid)!;
  const polledJoined = await pollTokens(client, answer.uuid, {
    from: { text: joined.content, position: joined.position },
    everyMs: POLL_MS,
    timeoutMs: left(),
  });
  const [polledFromStart] = await Promise.all([fromStart, list]);
  const stored = (await messages(client, chatUuid)).messages.find((m) => m.uuid === answer.uuid)!;
  return { id: plan.content.slice(0, 24), polledFromStart, polledJoined, stored, listPolls };
}

describe("concurrent polling", () => {
  it(`${ANSWERS} answers at once, each polled by two clients and its message list: no error, no lost or doubled token`, async () => {
    const rand = seededRandom(17);
    const clients = await Promise.all(Array.from({ length: ANSWERS + 1 }, () => signUp(baseUrl)));
    const chats = await Promise.all(clients.map((c) => createChat(c)));
    const plans = clients.map((_, i) => planAnswer(rand, `cp${i}`, SHAPE));

    // The machine's pace: one answer of the same shape, alone (still bounded by the test's timeout).
    const t0 = Date.now();
    const solo = await follow(clients[0]!, chats[0]!.uuid, plans[0]!, t0 + 240_000);
    const soloMs = Date.now() - t0;
    expect(solo.polledFromStart.text).toBe(plans[0]!.expected);

    const budgetMs = soloMs * SLACK;
    const deadline = Date.now() + budgetMs;
    const results = await Promise.all(plans.slice(1).map((plan, i) => follow(clients[i + 1]!, chats[i + 1]!.uuid, plan, deadline)));
    const tookMs = Date.now() - (deadline - budgetMs);
    console.log(`concurrent polling: one answer alone ${soloMs} ms; ${ANSWERS} at once ${tookMs} ms (deadline ${budgetMs} ms)`);

    for (const [i, r] of results.entries()) {
      const expected = plans[i + 1]!.expected;
      expect(r.polledFromStart.status, r.id).toBe("completed");
      expect(r.polledFromStart.text, r.id).toBe(expected);
      expect(r.polledJoined.text, r.id).toBe(expected);
      expect(r.polledFromStart.replacements + r.polledJoined.replacements, r.id).toBe(0);
      expect(r.stored).toMatchObject({ status: "completed", content: expected, position: codePoints(expected) });
      // Followed while it streamed, not only read at the end.
      expect(r.polledFromStart.polls, r.id).toBeGreaterThan(1);
      expect(r.listPolls, r.id).toBeGreaterThan(0);
    }
  }, 300_000);
});
