/**
 * The invariants checker (GET /api/ops/invariants, run after every integration test by
 * test/support/invariants-setup.ts) can fail: on a throwaway server and database of its own,
 * each invariant is broken on purpose with direct SQL, and the checker names exactly the
 * broken ones with the rows involved. PGlite is held by its server process, so there the
 * server is stopped while the test writes to its directory, then started again.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { anonymous, signUp, type TestClient } from "../support/client.ts";
import { createChat, exchange } from "../support/chat.ts";
import { invariantViolations } from "../support/invariants.ts";
import { createTestDatabase, removeDataDir, testAppEnv } from "../support/app-server.ts";
import { restartableServer, withDirectSql } from "../support/direct-sql.ts";
import { sharedBaseUrl, sharedFakeOpenAIUrl } from "../support/context.ts";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function userId(client: TestClient): Promise<string> {
  const id = (await client.session())?.user?.id;
  if (!id) throw new Error("no user id in the session");
  return id;
}

describe("the invariants checker", () => {
  it("refuses callers without the operator token", async () => {
    const res = await anonymous(sharedBaseUrl()).get("/api/ops/invariants");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("finds nothing after real traffic, then names each invariant broken on purpose and the rows involved", async () => {
    const db = await createTestDatabase();
    const env = testAppEnv(db, sharedFakeOpenAIUrl());
    const server = await restartableServer(env);
    cleanups.push(async () => {
      await server.current.stop();
      await db.drop();
      removeDataDir(env);
    });
    const alice = await signUp(server.current.url);
    const bob = await signUp(server.current.url);
    // One finished exchange per invariant to break, so that each violation names its own chat.
    const answered = async (client: TestClient) => {
      const chat = await createChat(client);
      const { user, stored } = await exchange(client, chat.uuid, "[[fake text=fine]]");
      expect(stored.status).toBe("completed");
      return { chat: chat.uuid, user: user.uuid, answer: stored.uuid };
    };
    const names = ["owner", "foreign", "content", "status", "pending", "prompt", "link", "chunks", "parent", "versions", "hidden"] as const;
    const c = {} as Record<(typeof names)[number], Awaited<ReturnType<typeof answered>>>;
    for (const name of names) c[name] = await answered(name === "foreign" ? bob : alice);
    const aliceChat = (await answered(alice)).chat;
    const [twoActive, noLease, expiredLease, oldQueued] = [await createChat(alice), await createChat(alice), await createChat(alice), await createChat(alice)];
    const [aliceId, bobId] = [await userId(alice), await userId(bob)];

    expect(await invariantViolations(server.current.url)).toEqual([]);

    await withDirectSql(db, server, async (exec) => {
      const requestOf = async (message: string) =>
        String((await exec(`select llm_request_uuid from chat_message where uuid = $1`, [message]))[0]!.llm_request_uuid);
      // A request, and its prompt (and answer when claimed), inserted as the runner would leave them, but in a state of our choosing.
      const generation = async (chat: string, state: { status: string; attempt: number; lease?: string; age?: string }) => {
        const [prompt, request] = [randomUUID(), randomUUID()];
        const claimed = state.status === "running";
        const answer = claimed ? randomUUID() : null;
        // On the chat's branch, as queue.ts and the claim link them (docs/design.md §3.12).
        await exec(
          `insert into chat_message (uuid, chat_uuid, role, content, status, llm_request_uuid, parent_uuid)
           values ($1, $2, 'user', 'q', $3, $4, (select uuid from chat_message where chat_uuid = $2 order by created_at desc, uuid desc limit 1))`,
          [
          prompt,
          chat,
            claimed ? "completed" : "pending",
            request,
          ],
        );
        await exec(
          `insert into llm_request (uuid, chat_uuid, user_id, prompt_message_uuid, response_message_uuid, model, status, attempt, lease_until, started_at, created_at)
           values ($1, $2, $3, $4, $5, 'fake', $6, $7, ${state.lease ?? "null"}, ${claimed ? "now()" : "null"}, now() - interval '${state.age ?? "0 s"}')`,
          [request, chat, aliceId, prompt, answer, state.status, state.attempt],
        );
        if (answer) {
          await exec(`insert into chat_message (uuid, chat_uuid, role, content, status, llm_request_uuid, parent_uuid) values ($1, $2, 'assistant', '', 'pending', $3, $4)`, [
            answer,
            chat,
            request,
            prompt,
          ]);
        }
      };

      // Bob made the owner of Alice's chat behind her back.
      await exec(`update chat_member set user_id = $1 where chat_uuid = $2 and role = 'owner'`, [bobId, c.owner.chat]);
      // Bob's message moved into Alice's chat.
      await exec(`update chat_message set chat_uuid = $1 where uuid = $2`, [aliceChat, c.foreign.user]);
      await exec(`update chat_message set content = 'tampered' where uuid = $1`, [c.content.answer]);
      await exec(`update chat_message set status = 'failed' where uuid = $1`, [c.status.answer]);
      await exec(`update chat_message set status = 'pending' where uuid = $1`, [c.pending.answer]);
      await exec(`update chat_message set status = 'pending' where uuid = $1`, [c.prompt.user]);
      await exec(`update chat_message set llm_request_uuid = $1 where uuid = $2`, [randomUUID(), c.link.answer]);
      await exec(`insert into llm_output_chunk (request_uuid, attempt, start_pos, text) values ($1, 1, 0, 'left')`, [await requestOf(c.chunks.answer)]);
      // Branches: a parent that does not exist (hidden, as off the branch it is), a second selected root, a hidden message on the active branch.
      await exec(`update chat_message set parent_uuid = $1, hidden = true where uuid = $2`, [randomUUID(), c.parent.answer]);
      await exec(`update chat_message set parent_uuid = null where uuid = $1`, [c.versions.answer]);
      await exec(`update chat_message set hidden = true where uuid = $1`, [c.hidden.answer]);
      // The database itself refuses two active generations in a chat: drop that guard to show the checker sees it too.
      await exec(`drop index llm_request_one_active_per_chat`);
      await generation(twoActive.uuid, { status: "queued", attempt: 0, age: "1 hour" });
      await generation(twoActive.uuid, { status: "queued", attempt: 0, age: "1 hour" });
      await generation(noLease.uuid, { status: "running", attempt: 1 });
      await generation(expiredLease.uuid, { status: "running", attempt: 1, lease: "now() - interval '1 hour'" });
      await generation(oldQueued.uuid, { status: "queued", attempt: 0, age: "1 hour" });
    });

    const found = async (leaseGraceMs: number | null) =>
      (await invariantViolations(server.current.url, { leaseGraceMs })).map((v) => [v.kind, v.ids.chat]).sort();
    const strict: [string, string | undefined][] = [
      ["owner_not_member", c.owner.chat],
      // Named by the request's chat: Bob's, whose prompt now sits in Alice's.
      ["foreign_message", c.foreign.chat],
      ["answer_differs_from_output", c.content.chat],
      ["answer_status_mismatch", c.status.chat],
      ["pending_answer_without_generation", c.pending.chat],
      ["prompt_status_mismatch", c.prompt.chat],
      ["broken_link", c.link.chat],
      ["leftover_output_chunks", c.chunks.chat],
      ["two_active_generations", twoActive.uuid],
      ["request_state_invalid", noLease.uuid],
      ["broken_parent", c.parent.chat],
      ["version_selection", c.versions.chat],
      ["hidden_off_branch", c.hidden.chat],
      // Bob's first message, moved: its answer's parent is in another chat, and Alice's chat has two roots.
      ["broken_parent", c.foreign.chat],
      ["version_selection", aliceChat],
    ];
    // A lease that expired an hour ago is what a crash leaves until the next poll: only the liveness rule reports it.
    expect(await found(null)).toEqual(strict.sort());
    expect(await found(15_000)).toEqual(
      [...strict, ["running_without_live_lease", expiredLease.uuid], ["queued_not_started", oldQueued.uuid], ["queued_not_started", twoActive.uuid], ["queued_not_started", twoActive.uuid]].sort(),
    );
  });
});
