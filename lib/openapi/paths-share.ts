/** Public read-only links to chats: the owner's switch, and the polls anyone with the link may make. */
import { PARTS_CURSOR } from "./paths-chat";
import { PUBLIC, errors, json, param, ref, type Paths } from "./build";

const tags = ["Sharing"];
const publicPoll =
  "Public: no session, not cached, readable from any site (Access-Control-Allow-Origin: *). A chat made private (or whose owner's account is disabled) answers 404 at once.";

export const sharePaths: Paths = {
  "/api/chats/{uuid}/share": {
    get: {
      operationId: "getShare",
      summary: "Whether the chat is public, and its link (the owner only)",
      tags,
      parameters: [param("ChatUuid")],
      responses: { "200": json("The chat's link.", ref("ShareState")), ...errors(400, 401, 403, 404, 503) },
    },
    post: {
      operationId: "shareChat",
      summary: "Make the chat public with a read-only link (the owner only)",
      description: "The link is /share/{shareUuid}, a random UUIDv4 unrelated to the chat's uuid. A chat already public keeps its link (200).",
      tags,
      parameters: [param("ChatUuid")],
      responses: {
        "201": json("A new link.", ref("ShareState")),
        "200": json("The link the chat already had.", ref("ShareState")),
        ...errors(400, 401, 403, 404, 415, 503),
      },
    },
    delete: {
      operationId: "unshareChat",
      summary: "Make the chat private again (the owner only); idempotent",
      description: "Its link answers 404 from the next request on; sharing again makes a new link, the old one stays dead.",
      tags,
      parameters: [param("ChatUuid")],
      responses: { "200": json("The chat is private.", ref("ShareState")), ...errors(400, 401, 403, 404, 503) },
    },
  },
  "/api/share/{uuid}/messages": {
    get: {
      operationId: "getSharedMessages",
      summary: "All messages of a shared chat, oldest first",
      description: publicPoll,
      tags,
      security: PUBLIC,
      parameters: [param("ShareUuid")],
      responses: { "200": json("The shared chat and its messages.", ref("SharedChatMessages")), ...errors(400, 404, 503) },
    },
  },
  "/api/share/{uuid}/messages/{last_uuid}": {
    get: {
      operationId: "getSharedMessagesAfter",
      summary: "The messages of a shared chat after last_uuid",
      description: `${publicPoll} 404 unknown_last_message when last_uuid is not in the chat: reload the whole list.`,
      tags,
      security: PUBLIC,
      parameters: [param("ShareUuid"), param("LastUuid")],
      responses: { "200": json("The messages after last_uuid.", ref("SharedChatMessages")), ...errors(400, 404, 503) },
    },
  },
  "/api/share/{uuid}/tokens/{message_uuid}/{position}": {
    get: {
      operationId: "getSharedTokens",
      summary: "A message of a shared chat from position on",
      description: `${publicPoll} The same answer as GET /chat/message/{uuid}/tokens/{position}.`,
      tags,
      security: PUBLIC,
      parameters: [param("ShareUuid"), param("SharedMessageUuid"), param("Position"), PARTS_CURSOR],
      responses: { "200": json("The text from position on.", ref("Tokens")), ...errors(400, 404, 503) },
    },
  },
};
