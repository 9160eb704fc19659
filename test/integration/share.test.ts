/**
 * Public read-only links through real HTTP: the owner shares a chat, anyone with the link
 * reads it (server rendered) and polls an answer still generating to the same text the owner
 * sees; made private, the link answers 404 at once, and sharing again makes a new link while
 * the old one stays dead. Only the owner may share; nothing on the page names a member.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { anonymous, signUp, type TestClient } from "../support/client.ts";
import { createChat, exchange, json, pollTokens, send, type MessageJson, type TokensJson } from "../support/chat.ts";
import { userIdOf } from "../support/direct-sql.ts";
import { until } from "../support/wait.ts";
import { sharedBaseUrl } from "../support/context.ts";

const baseUrl = sharedBaseUrl();

interface ShareJson {
  shared: boolean;
  shareUuid: string | null;
  path: string | null;
}
type SharedMessage = Omit<MessageJson, "chatUuid">;
interface SharedMessages {
  messages: SharedMessage[];
  chat: { shareUuid: string; title: string; status: string; agent: string; createdAt: string; updatedAt: string };
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function share(client: TestClient, chat: string, status = 201): Promise<ShareJson> {
  return (await json<{ share: ShareJson }>(await client.post(`/api/chats/${chat}/share`), status)).share;
}

/** Follows a shared message's tokens from `from` like the share page does, until final. */
async function pollShared(viewer: TestClient, shareUuid: string, message: string, from = { text: "", position: 0 }) {
  let { text, position } = from;
  let polls = 0;
  for (;;) {
    const t = await json<TokensJson>(await viewer.get(`/api/share/${shareUuid}/tokens/${message}/${position}`), 200);
    polls++;
    text = t.append ? text + t.tokens : t.tokens;
    position = t.position;
    expect([...text].length).toBe(position);
    if (t.status !== "pending") return { text, status: t.status, polls };
    await new Promise((r) => setTimeout(r, 50));
  }
}

let owner: TestClient;

beforeAll(async () => {
  owner = await signUp(baseUrl, { name: "Secret Owner Name" });
});

describe("sharing a chat", () => {
  it("makes a random v4 link, idempotently; its state is the owner's to read", async () => {
    const chat = await createChat(owner);
    expect(await json(await owner.get(`/api/chats/${chat.uuid}/share`), 200)).toEqual({ share: { shared: false, shareUuid: null, path: null } });
    const first = await share(owner, chat.uuid, 201);
    expect(first.shareUuid).toMatch(UUID_V4);
    expect(first.shareUuid).not.toBe(chat.uuid);
    expect(first.path).toBe(`/share/${first.shareUuid}`);
    expect(await share(owner, chat.uuid, 200)).toEqual(first);
    expect(await json(await owner.get(`/api/chats/${chat.uuid}/share`), 200)).toEqual({ share: first });
  });

  it("lets anyone read it without a session, server rendered and polled, and names nobody", async () => {
    const chat = await createChat(owner, { agent: "coder", title: "Public **notes**" });
    const md = "## Heading\\n\\nSome *emphasis* and <script>alert(1)</script> and <b>raw</b>.";
    const { user, stored } = await exchange(owner, chat.uuid, `Explain [[fake text="${md}"]]`);
    const link = await share(owner, chat.uuid);
    const viewer = anonymous(baseUrl);

    const all = await json<SharedMessages>(await viewer.get(`/api/share/${link.shareUuid}/messages`), 200);
    expect(all.chat).toEqual({ shareUuid: link.shareUuid, title: "Public **notes**", status: "active", agent: "coder", createdAt: chat.createdAt, updatedAt: expect.any(String) as unknown });
    expect(all.messages.map((m) => [m.role, m.status])).toEqual([
      ["assistant", "completed"], // the agent's greeting
      ["user", "completed"],
      ["assistant", "completed"],
    ]);
    expect(all.messages.at(-1)!.content).toBe(stored.content);
    for (const m of all.messages) expect(Object.keys(m)).not.toContain("chatUuid");
    const after = await json<SharedMessages>(await viewer.get(`/api/share/${link.shareUuid}/messages/${user.uuid}`), 200);
    expect(after.messages.map((m) => m.uuid)).toEqual([stored.uuid]);

    const page = await viewer.get(`/share/${link.shareUuid}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain("Public **notes**");
    // The answer rendered as Markdown, the HTML in it as text, never as markup.
    expect(html).toMatch(/<h2[^>]*>Heading<\/h2>/);
    expect(html).toMatch(/<em>emphasis<\/em>/);
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).not.toContain("<b>raw</b>");
    expect(html).toMatch(/name="robots" content="noindex, nofollow"/);
    // Nothing about who owns it or who is in it.
    const ownerId = await userIdOf(owner);
    for (const secret of [owner.email, "Secret Owner Name", ownerId, chat.uuid]) {
      expect(html).not.toContain(secret);
      expect(JSON.stringify(all)).not.toContain(secret);
    }
  });

  it("lets a viewer follow an answer that is still generating, to the text the owner gets", async () => {
    const chat = await createChat(owner);
    const link = await share(owner, chat.uuid);
    const viewer = anonymous(baseUrl);
    const question = await send(owner, chat.uuid, "[[fake text=\"shared stream 🌍 \" repeat=40 chunk=5 delay=25]]");
    const answer = await until("the answer, seen through the link", async () => {
      const { messages } = await json<SharedMessages>(await viewer.get(`/api/share/${link.shareUuid}/messages/${question.uuid}`), 200);
      return messages.find((m) => m.role === "assistant");
    });
    // Joined mid-answer: what the list says so far, then the tokens from there.
    const seen = await pollShared(viewer, link.shareUuid!, answer.uuid, { text: answer.content, position: answer.position });
    const owned = await pollTokens(owner, answer.uuid);
    expect(seen.status).toBe("completed");
    expect(seen.text).toBe("shared stream 🌍 ".repeat(40));
    expect(seen.text).toBe(owned.text);
    expect(seen.polls).toBeGreaterThan(1);
  });

  it("made private, the link answers 404 at once; shared again, a new link, the old one stays dead", async () => {
    const chat = await createChat(owner);
    const { answer } = await exchange(owner, chat.uuid, "[[fake text=soon-private]]");
    const old = await share(owner, chat.uuid);
    const viewer = anonymous(baseUrl);
    const urls = (s: string) => [`/api/share/${s}/messages`, `/api/share/${s}/messages/${answer.uuid}`, `/api/share/${s}/tokens/${answer.uuid}/0`];
    for (const u of urls(old.shareUuid!)) expect((await viewer.get(u)).status, u).toBe(200);
    expect((await viewer.get(`/share/${old.shareUuid}`)).status).toBe(200);

    expect(await json(await owner.del(`/api/chats/${chat.uuid}/share`), 200)).toEqual({ share: { shared: false, shareUuid: null, path: null } });
    for (const u of urls(old.shareUuid!)) {
      const res = await viewer.get(u);
      expect(res.status, u).toBe(404);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
    const page = await viewer.get(`/share/${old.shareUuid}`);
    expect(page.status).toBe(404);
    expect(await page.text()).not.toContain("soon-private");
    // Idempotent.
    expect((await owner.del(`/api/chats/${chat.uuid}/share`)).status).toBe(200);

    const again = await share(owner, chat.uuid, 201);
    expect(again.shareUuid).not.toBe(old.shareUuid);
    for (const u of urls(again.shareUuid!)) expect((await viewer.get(u)).status, u).toBe(200);
    for (const u of urls(old.shareUuid!)) expect((await viewer.get(u)).status, u).toBe(404);
  });

  it("a link opens only its own chat's messages", async () => {
    const mine = await createChat(owner);
    const link = await share(owner, mine.uuid);
    const other = await createChat(owner);
    const { answer } = await exchange(owner, other.uuid, "[[fake text=not-in-the-shared-chat]]");
    const viewer = anonymous(baseUrl);
    expect((await viewer.get(`/api/share/${link.shareUuid}/tokens/${answer.uuid}/0`)).status).toBe(404);
    const res = await viewer.get(`/api/share/${link.shareUuid}/messages/${answer.uuid}`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unknown_last_message");
  });

  it("answers cross-site GETs and is never cached", async () => {
    const chat = await createChat(owner);
    const link = await share(owner, chat.uuid);
    const res = await anonymous(baseUrl).get(`/api/share/${link.shareUuid}/messages`, { headers: { origin: "https://elsewhere.example", "sec-fetch-site": "cross-site" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("who may share", () => {
  it("only the owner: an editor or viewer gets 403, a stranger 404", async () => {
    const alice = await signUp(baseUrl);
    const [editor, viewer, stranger] = [await signUp(baseUrl), await signUp(baseUrl), await signUp(baseUrl)];
    const chat = await createChat(alice);
    // They join as people do: by an invite link with its role.
    for (const [member, role] of [[editor, "editor"], [viewer, "viewer"]] as const) {
      const { invite } = await json<{ invite: { token: string } }>(await alice.post(`/api/chats/${chat.uuid}/invites`, { role }), 201);
      expect((await json<{ role: string }>(await member.post(`/api/invites/${invite.token}`), 200)).role).toBe(role);
    }
    for (const member of [editor, viewer]) {
      for (const method of ["GET", "POST", "DELETE"]) {
        const res = await member.request(`/api/chats/${chat.uuid}/share`, { method });
        expect(res.status, method).toBe(403);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
      }
      // Members may export what they can read.
      expect((await member.get(`/api/chats/${chat.uuid}/export?format=md`)).status).toBe(200);
    }
    for (const method of ["GET", "POST", "DELETE"]) {
      expect((await stranger.request(`/api/chats/${chat.uuid}/share`, { method })).status, method).toBe(404);
    }
    expect((await alice.get(`/api/chats/${chat.uuid}/share`)).status).toBe(200);
  });
});
