/**
 * The three chat polls, written once. Two thin adapters serve them: the Pages API routes
 * (pages/api/poll/*, what Next serves, and all that runs on Vercel) and the fast path
 * (lib/http/poll-fast-path.ts: on a Node server, a poll is answered before Next's pipeline).
 * docs/design.md §8.2.
 */
import "server-only";
import { pagesPollRoute } from "./pages-route";
import { chatAfterParams, chatParams, partsCursorParam, tokensParams } from "./params";
import { getMessages, getTokens } from "../chat/polls";
import { messagesFragment, tokensFragment } from "../html/fragments";
import { applyPartEvents } from "../parts";
import { canWrite } from "@/db/queries/access";
import { findAnswerForMember } from "@/db/queries/parts";

/** GET /chat/{uuid}/messages: all messages of the chat, oldest first. `?typing=1`: the reader's draft is not empty. */
export const messagesPoll = pagesPollRoute({ route: "/chat/[uuid]/messages", params: chatParams }, async ({ identity, params, htmx, query }) => {
  const result = await getMessages({ userId: identity.id, chatUuid: params.uuid, typing: query("typing") === "1" });
  return htmx ? messagesFragment(result) : { json: result };
});

/** GET /chat/{uuid}/messages/{last_uuid}: the messages after last_uuid; 404 unknown_last_message when it is not in the chat. */
export const messagesAfterPoll = pagesPollRoute(
  { route: "/chat/[uuid]/messages/[last_uuid]", params: chatAfterParams },
  async ({ identity, params, htmx, query }) => {
    const result = await getMessages({ userId: identity.id, chatUuid: params.uuid, lastUuid: params.last_uuid, typing: query("typing") === "1" });
    return htmx ? messagesFragment(result) : { json: result };
  },
);

/** GET /chat/message/{uuid}/tokens/{position}: the message's text from `position` (code points) on. */
export const tokensPoll = pagesPollRoute({ route: "/chat/message/[uuid]/tokens/[position]", params: tokensParams }, async ({ identity, params, htmx, query }) => {
  // htmx pages ask with the parts (their poller carries the cursor; a page from before: "0").
  const parts = partsCursorParam(query("parts")) ?? (htmx ? "0" : undefined);
  const result = await getTokens({ userId: identity.id, messageUuid: params.uuid, position: params.position, ...(parts === undefined ? {} : { parts }) });
  if (!htmx) return { json: result };
  // /lite formats an answer once it is final: that takes its whole text, once per answer.
  const final = result.status !== "pending";
  const whole = !final || params.position === 0 || !result.append ? result.tokens : (await getTokens({ userId: identity.id, messageUuid: params.uuid, position: 0 })).tokens;
  // htmx cannot fold events: when they changed, the page gets the whole list, rendered (§3.11).
  const changed = (result.parts?.events.length ?? 0) > 0 || result.parts?.reset === true;
  const all = changed || final ? (await getTokens({ userId: identity.id, messageUuid: params.uuid, position: result.position, parts: "0" })).parts : undefined;
  const list = all ? applyPartEvents([], all.events) : [];
  // Allow and Deny only for a member who may write (asked only when a call waits).
  const waits = list.some((p) => p.type === "tool" && p.status === "awaiting-approval");
  const member = waits ? await findAnswerForMember({ messageUuid: params.uuid, userId: identity.id }) : undefined;
  return tokensFragment(params.uuid, result, final ? whole : undefined, { list, changed, reader: { canApprove: canWrite(member?.role) } });
});
