/**
 * bench/lib/floor-server.ts (the floor the polls are measured against, issue #19) asks the
 * polls' own questions with copies of their statements: plain node cannot import them from
 * db/queries/polls.ts. These copies must stay the app's text and parameters, else the floor
 * measures another question. The app's statements are caught where they are run (rawRows).
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { readChatPoll, readMessagePoll, type MessagePoll } from "@/db/queries/polls";
import { parseEnv } from "@/lib/env";
import { planTokens } from "@/lib/chat/tokens";
import { MESSAGES_AFTER_POLL_SQL, TOKENS_POLL_SQL, messagesParams, tokensAnswer, tokensParams } from "../../bench/lib/floor-server.ts";

const ran: { text: string; params: unknown[] }[] = vi.hoisted(() => []);
vi.mock("@/db/queries/raw", () => ({
  rawRows: async (text: string, params: unknown[]) => {
    ran.push({ text, params });
    return [];
  },
}));

const grace = parseEnv({}).QUEUED_GRACE_MS;
const user = "11111111-1111-4111-8111-111111111111";
const chat = "22222222-2222-4222-8222-222222222222";
const message = "33333333-3333-4333-8333-333333333333";

describe("the floor server's statements", () => {
  beforeEach(() => {
    ran.length = 0;
  });

  it("are the tokens poll's statement and parameters", async () => {
    await readMessagePoll({ kind: "member", userId: user }, { messageUuid: message, position: 7, queuedGraceMs: grace });
    expect(ran).toHaveLength(1);
    expect(TOKENS_POLL_SQL).toBe(ran[0]!.text);
    expect(tokensParams(message, user, 7)).toEqual(ran[0]!.params);
  });

  it("are the messages poll's statement (after a last uuid) and parameters", async () => {
    await readChatPoll({ kind: "member", userId: user }, { chat, lastUuid: message, queuedGraceMs: grace });
    expect(ran).toHaveLength(1);
    expect(MESSAGES_AFTER_POLL_SQL).toBe(ran[0]!.text);
    expect(messagesParams(chat, user, message)).toEqual(ran[0]!.params);
  });
});

describe("the floor server's tokens answer", () => {
  const row = { role: "assistant", status: "pending", content: "", error: null, req_uuid: message, slice_from: 3, slice_text: "lo wörld 👋" };
  const found = {
    message: { role: "assistant", status: "pending", content: "", error: null },
    request: { uuid: message, status: "running", attempt: 0, restartFloor: 0, stale: false },
    output: { from: 3, text: "lo wörld 👋" },
  } as unknown as MessagePoll;

  it.each([3, 5, 13])("is the app's for a pending answer from position %i", (position) => {
    const plan = planTokens(found, position);
    expect(plan.kind).toBe("answer");
    expect(tokensAnswer(row, position)).toEqual(plan.kind === "answer" ? plan.answer : undefined);
  });
});
