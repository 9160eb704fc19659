/**
 * How to call every route of the app and who may: one entry per `METHOD /template` that
 * test/support/app-routes.ts finds under app/. chat-access.test.ts fails when a route file has
 * no entry here or an entry names a route that is gone, so a new route cannot be forgotten.
 *
 * Access rules:
 * - owner:       JSON API on one user's chat or message: 401 without a session, 404 for
 *                another user's ids exactly like missing ones, 400 for malformed ids.
 * - user:        JSON API of the signed-in user (no ids in the path): 401 without a session.
 * - admin:       JSON API of admins (lib/http/route.ts adminRoute): 401 without a session, 404
 *                for a signed-in user who is not an admin, exactly like a path that does not exist.
 * - public:      needs no session (health, readiness, sign-up).
 * - share:       public, keyed by the share uuid of a public link: no session needed, 404 for
 *                a link that is private or unknown exactly like a missing one, 400 malformed.
 * - ops-token:   operators only, by a bearer token from the environment, never by a session:
 *                404 while its variable is unset, else 401 without the token (GET /api/metrics:
 *                METRICS_TOKEN, ops-metrics.test.ts; GET /api/ops/invariants: OPS_TOKEN,
 *                which the test servers set, invariants.test.ts).
 * - authjs:      Auth.js's own endpoints, protected by its double-submit CSRF token.
 * - page:        a signed-in page: without a session a redirect to /signin.
 * - owner-page:  a page of one user's chat: also 404 for another user's chat, like a missing one.
 * - admin-page:  a page of admins: without a session a redirect to /signin, for anyone else 404.
 * - public-page: a page anyone may open.
 * - static:      a file built once (htmx for /lite).
 * Every unsafe method, whatever its rule, refuses a cross-site request with 403 (authjs: no session).
 */
import type { TestClient } from "../support/client.ts";
import { createChat, exchange, json } from "../support/chat.ts";

export interface Ids {
  chat: string;
  /** A message of `chat` (the answer). */
  message: string;
  /** The user message `message` answers (edit takes it). */
  question?: string;
  /** The share uuid of `chat`, which is public. */
  share: string;
  /** The uuid of an API token of the chat's owner. */
  token: string;
  /** The id of the user who owns `chat`. */
  user: string;
  /** A member of `chat` other than its owner (member routes); a random uuid when not given. */
  member?: string;
  /** A file sent with `question` (the attachment routes); absent, `message` stands in (a uuid that names no file). */
  attachment?: string;
  /** An invite link of `chat` (its uuid and its token). */
  invite?: string;
  inviteToken?: string;
}

const some = (id: string | undefined) => id ?? "00000000-0000-4000-8000-000000000000";
/** The shape of a real invite token (32 bytes, base64url) that names no invite. */
const UNKNOWN_TOKEN = "A".repeat(43);

/**
 * What a member needs for a chat route (chat-members.test.ts proves each): `read` any member,
 * `write` an owner or editor (a viewer gets 403), `owner` the owner alone (editors and viewers 403).
 */
export type Needs = "read" | "write" | "owner";

export type Access =
  | "owner"
  | "user"
  | "admin"
  | "public"
  | "share"
  | "ops-token"
  | "authjs"
  | "page"
  | "owner-page"
  | "admin-page"
  | "public-page"
  | "static";

export interface RouteCase {
  access: Access;
  path: (ids: Ids) => string;
  body?: (ids: Ids) => Record<string, unknown>;
  /** For routes of one chat: the role the route needs. */
  needs?: Needs;
  /**
   * What the route answers its rightful caller with the fixture ids of makeIds() when that is
   * not a success: the member and invite routes are called with ids that name no member or invite.
   */
  fixtureStatus?: number;
}

export const ROUTES: Record<string, RouteCase> = {
  // The chat protocol (docs/design.md §3.2, roles §9.2) and the rest of the chat API.
  "GET /chat/[uuid]/messages": { access: "owner", needs: "read", path: ({ chat }) => `/chat/${chat}/messages` },
  "GET /chat/[uuid]/messages/[last_uuid]": { access: "owner", needs: "read", path: ({ chat, message }) => `/chat/${chat}/messages/${message}` },
  "POST /chat/[uuid]/send": { access: "owner", needs: "write", path: ({ chat }) => `/chat/${chat}/send`, body: () => ({ content: "hello" }) },
  "POST /chat/[uuid]/regenerate": { access: "owner", needs: "write", path: ({ chat }) => `/chat/${chat}/regenerate`, body: () => ({}) },
  "POST /chat/[uuid]/edit": {
    access: "owner",
    needs: "write",
    path: ({ chat }) => `/chat/${chat}/edit`,
    body: ({ message, question }) => ({ messageUuid: question ?? message, content: "x" }),
  },
  // Files (docs/design.md §3.13; attachments.test.ts). The upload is called without a multipart
  // body (415); the fixture's file was sent, so its uploader cannot remove it any more (409).
  "POST /chat/[uuid]/attachments": { access: "owner", needs: "write", fixtureStatus: 415, path: ({ chat }) => `/chat/${chat}/attachments` },
  // An upload of no chat yet (the new-chat screen), called without a multipart body like the one above.
  "POST /chat/attachments": { access: "user", fixtureStatus: 415, path: () => "/chat/attachments" },
  "GET /chat/attachment/[uuid]": { access: "owner", needs: "read", path: ({ attachment, message }) => `/chat/attachment/${attachment ?? message}` },
  "DELETE /chat/attachment/[uuid]": { access: "owner", needs: "write", fixtureStatus: 409, path: ({ attachment, message }) => `/chat/attachment/${attachment ?? message}` },
  // The fixture's answer is the selected version already: switching to it is a no-op (branches.test.ts switches for real).
  "POST /chat/[uuid]/branch": { access: "owner", needs: "write", path: ({ chat }) => `/chat/${chat}/branch`, body: ({ message }) => ({ messageUuid: message }) },
  "GET /chat/message/[uuid]/tokens/[position]": { access: "owner", needs: "read", path: ({ message }) => `/chat/message/${message}/tokens/0` },
  "POST /chat/message/[uuid]/cancel": { access: "owner", needs: "write", path: ({ message }) => `/chat/message/${message}/cancel` },
  "POST /chat/message/[uuid]/tools/[call_id]": {
    access: "owner",
    needs: "write",
    // The fixture's answer has ended: no call waits (answer-parts.test.ts approves a waiting one).
    fixtureStatus: 409,
    path: ({ message }) => `/chat/message/${message}/tools/call_1`,
    body: () => ({ approve: true }),
  },
  "PATCH /api/chats/[uuid]": { access: "owner", needs: "write", path: ({ chat }) => `/api/chats/${chat}`, body: () => ({ title: "mine now" }) },
  "DELETE /api/chats/[uuid]": { access: "owner", needs: "owner", path: ({ chat }) => `/api/chats/${chat}` },

  // Collaborative chats: members and invites (chat-members.test.ts).
  "GET /api/chats/[uuid]/members": { access: "owner", needs: "read", path: ({ chat }) => `/api/chats/${chat}/members` },
  "POST /api/chats/[uuid]/members": {
    fixtureStatus: 404,
    access: "owner",
    needs: "owner",
    path: ({ chat }) => `/api/chats/${chat}/members`,
    body: () => ({ email: "nobody-here@example.test", role: "viewer" }),
  },
  "PATCH /api/chats/[uuid]/members/[user_id]": {
    fixtureStatus: 404,
    access: "owner",
    needs: "owner",
    path: ({ chat, member }) => `/api/chats/${chat}/members/${some(member)}`,
    body: () => ({ role: "viewer" }),
  },
  "DELETE /api/chats/[uuid]/members/[user_id]": { access: "owner", needs: "owner", fixtureStatus: 404, path: ({ chat, member }) => `/api/chats/${chat}/members/${some(member)}` },
  "POST /api/chats/[uuid]/invites": { access: "owner", needs: "owner", path: ({ chat }) => `/api/chats/${chat}/invites`, body: () => ({ role: "viewer" }) },
  "DELETE /api/chats/[uuid]/invites/[invite_uuid]": {
    fixtureStatus: 404,
    access: "owner",
    needs: "owner",
    path: ({ chat, invite }) => `/api/chats/${chat}/invites/${some(invite)}`,
  },
  // An invite link's token is its own key: a session is needed, an unknown token answers 404.
  "GET /api/invites/[token]": { access: "user", fixtureStatus: 404, path: ({ inviteToken }) => `/api/invites/${inviteToken ?? UNKNOWN_TOKEN}` },
  "POST /api/invites/[token]": { access: "user", fixtureStatus: 404, path: ({ inviteToken }) => `/api/invites/${inviteToken ?? UNKNOWN_TOKEN}` },
  // Invitations by email addressed to the caller: an unknown (or someone else's) uuid answers 404.
  "GET /api/invitations": { access: "user", path: () => "/api/invitations" },
  "POST /api/invitations/[uuid]": { access: "user", fixtureStatus: 404, path: () => `/api/invitations/${some(undefined)}` },
  "DELETE /api/invitations/[uuid]": { access: "user", fixtureStatus: 404, path: () => `/api/invitations/${some(undefined)}` },
  "POST /chat/create": { access: "user", path: () => "/chat/create", body: () => ({}) },
  "GET /chat/list": { access: "user", path: () => "/chat/list" },
  "GET /api/models": { access: "user", path: () => "/api/models" },
  "GET /api/agents": { access: "user", path: () => "/api/agents" },

  // Sharing: the owner's switch, and the public polls of a shared chat.
  "GET /api/chats/[uuid]/share": { access: "owner", needs: "owner", path: ({ chat }) => `/api/chats/${chat}/share` },
  "POST /api/chats/[uuid]/share": { access: "owner", needs: "owner", path: ({ chat }) => `/api/chats/${chat}/share` },
  "DELETE /api/chats/[uuid]/share": { access: "owner", needs: "owner", path: ({ chat }) => `/api/chats/${chat}/share` },
  "GET /api/share/[uuid]/messages": { access: "share", path: ({ share }) => `/api/share/${share}/messages` },
  "GET /api/share/[uuid]/messages/[last_uuid]": { access: "share", path: ({ share, message }) => `/api/share/${share}/messages/${message}` },
  "GET /api/share/[uuid]/tokens/[message_uuid]/[position]": { access: "share", path: ({ share, message }) => `/api/share/${share}/tokens/${message}/0` },
  "GET /share/[uuid]/attachment/[attachment_uuid]": { access: "share", path: ({ share, attachment, message }) => `/share/${share}/attachment/${attachment ?? message}` },

  // Export and import, API tokens.
  "GET /api/chats/[uuid]/export": { access: "owner", needs: "read", path: ({ chat }) => `/api/chats/${chat}/export?format=json` },
  "GET /api/export": { access: "user", path: () => "/api/export" },
  "POST /api/import": { access: "user", path: () => "/api/import", body: () => ({ format: "pollchat.chats", version: 1, chats: [] }) },
  "GET /api/tokens": { access: "user", path: () => "/api/tokens" },
  "POST /api/tokens": { access: "user", path: () => "/api/tokens", body: () => ({ name: "route table" }) },
  "DELETE /api/tokens/[uuid]": { access: "owner", path: ({ token }) => `/api/tokens/${token}` },

  // Accounts and operations.
  "GET /api/account/usage": { access: "user", path: () => "/api/account/usage" },
  // Already verified (the test users are): 409.
  // Ends every session of the caller (API tokens stay): called by the table's tests, which use a token or a fresh session each.
  "DELETE /api/account/sessions": { access: "user", path: () => "/api/account/sessions" },
  // Mails the caller a new verification link (202).
  "POST /api/account/verify-email": { access: "user", path: () => "/api/account/verify-email" },
  // Public POSTs are called with a malformed body (400); the real flows: trust.test.ts.
  "POST /api/verify-email": { access: "public", path: () => "/api/verify-email", body: () => ({ token: 5 }) },
  "POST /api/password/forgot": { access: "public", path: () => "/api/password/forgot", body: () => ({ email: "not-an-email" }) },
  "POST /api/password/reset": { access: "public", path: () => "/api/password/reset", body: () => ({ token: "x", password: "x" }) },
  "GET /api/admin/users": { access: "admin", path: () => "/api/admin/users" },
  "GET /api/admin/users/[id]": { access: "admin", path: ({ user }) => `/api/admin/users/${user}` },
  "PATCH /api/admin/users/[id]": { access: "admin", path: ({ user }) => `/api/admin/users/${user}`, body: () => ({ quota: { messagesPerHour: 5 } }) },
  "GET /api/admin/generations": { access: "admin", path: () => "/api/admin/generations" },
  "GET /api/admin/tool-runs": { access: "admin", path: () => "/api/admin/tool-runs" },
  "POST /api/register": { access: "public", path: () => "/api/register", body: () => ({ email: "not-an-email", password: "x" }) },
  "GET /api/auth/[...nextauth]": { access: "authjs", path: () => "/api/auth/session" },
  "POST /api/auth/[...nextauth]": { access: "authjs", path: () => "/api/auth/callback/credentials" },
  "GET /api/health": { access: "public", path: () => "/api/health" },
  "GET /api/ready": { access: "public", path: () => "/api/ready" },
  // Baselines of bench/poll-cost.ts: nothing at all, and the guard alone.
  "GET /api/bench/empty": { access: "public", path: () => "/api/bench/empty" },
  "GET /api/bench/session": { access: "user", path: () => "/api/bench/session" },
  "GET /api/metrics": { access: "ops-token", path: () => "/api/metrics" },
  "GET /api/ops/invariants": { access: "ops-token", path: () => "/api/ops/invariants" },
  "GET /api/openapi.json": { access: "public", path: () => "/api/openapi.json" },

  // Pages.
  "GET /": { access: "public-page", path: () => "/" },
  "GET /signin": { access: "public-page", path: () => "/signin" },
  "GET /signup": { access: "public-page", path: () => "/signup" },
  "GET /chat": { access: "page", path: () => "/chat" },
  "GET /account": { access: "page", path: () => "/account" },
  "GET /admin": { access: "admin-page", path: () => "/admin" },
  "GET /chat/[uuid]": { access: "owner-page", path: ({ chat }) => `/chat/${chat}` },
  "GET /invite/[token]": { access: "page", path: ({ inviteToken }) => `/invite/${inviteToken ?? UNKNOWN_TOKEN}` },
  "GET /lite": { access: "page", path: ({ chat }) => `/lite?chat=${chat}` },
  "GET /share/[uuid]": { access: "public-page", path: ({ share }) => `/share/${share}` },
  "GET /account/tokens": { access: "page", path: () => "/account/tokens" },
  "GET /account/data": { access: "page", path: () => "/account/data" },
  "GET /verify-email": { access: "public-page", path: () => "/verify-email" },
  "GET /forgot-password": { access: "public-page", path: () => "/forgot-password" },
  "GET /reset-password": { access: "public-page", path: () => "/reset-password" },
  "GET /lite/htmx.js": { access: "static", path: () => "/lite/htmx.js" },
};

export interface RouteEntry extends RouteCase {
  key: string;
  method: string;
}

export function entries(filter: (e: RouteEntry) => boolean = () => true): RouteEntry[] {
  return Object.entries(ROUTES)
    .map(([key, c]) => ({ ...c, key, method: key.split(" ")[0]! }))
    .filter(filter);
}

export const isUnsafe = (method: string) => !["GET", "HEAD", "OPTIONS"].includes(method);

export function call(client: TestClient, e: RouteEntry, ids: Ids, headers: Record<string, string> = {}): Promise<Response> {
  const h: Record<string, string> = { ...(e.body ? { "content-type": "application/json" } : {}), ...headers };
  return client.request(e.path(ids), { method: e.method, headers: h, body: e.body ? JSON.stringify(e.body(ids)) : undefined });
}

/** One fixture token per owner: an account holds at most 50, and revoking one twice is fine. */
const fixtureTokens = new WeakMap<TestClient, string>();

/**
 * A chat of `owner` with an answer, shared, and an API token of theirs: the ids every route of
 * the table can be called with. `text` steers the fake model.
 */
export async function makeIds(owner: TestClient, text = "[[fake text=fixture]]"): Promise<Ids> {
  const chat = await createChat(owner);
  const form = new FormData();
  form.append("file", new Blob(["fixture notes\n"], { type: "text/plain" }), "notes.txt");
  const { attachment } = await json<{ attachment: { uuid: string } }>(await owner.request(`/chat/${chat.uuid}/attachments`, { method: "POST", body: form }), 201);
  const { user, answer } = await exchange(owner, chat.uuid, text, { attachments: [attachment.uuid] });
  const { share } = await json<{ share: { shareUuid: string } }>(await owner.post(`/api/chats/${chat.uuid}/share`), 201);
  let token = fixtureTokens.get(owner);
  if (!token) {
    token = (await json<{ apiToken: { uuid: string } }>(await owner.post("/api/tokens", { name: "fixture" }), 201)).apiToken.uuid;
    fixtureTokens.set(owner, token);
  }
  const apiToken = { uuid: token };
  const ownerId = (await owner.session())!.user!.id!;
  return { chat: chat.uuid, message: answer.uuid, question: user.uuid, share: share.shareUuid, token: apiToken.uuid, user: ownerId, attachment: attachment.uuid };
}
