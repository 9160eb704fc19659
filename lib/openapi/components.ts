/** The shared parts of the OpenAPI document: shapes, parameters, error answers, security schemes. */
import { MESSAGE_ROLES, MESSAGE_STATUSES, MEMBER_ROLES } from "@/db/schema";
import { importFile } from "../export/format";
import { fromZod, object, ref, type Schema } from "./build";

const SESSION_COOKIE_NAME = "authjs.session-token";

const uuid: Schema = { type: "string", format: "uuid" };
const time: Schema = { type: "string", format: "date-time" };
const nullable = (s: Schema): Schema => ({ oneOf: [s, { type: "null" }] });

const ERROR_CODES = [
  "bad_request",
  "invalid_json",
  "validation_error",
  "unauthorized",
  "forbidden",
  "account_disabled",
  "not_found",
  "unknown_last_message",
  "method_not_allowed",
  "conflict",
  "email_taken",
  "generation_in_progress",
  "not_awaiting_approval",
  "payload_too_large",
  "storage_full",
  "unsupported_media_type",
  "rate_limited",
  "internal_error",
  "service_unavailable",
];

const message: Schema = {
  type: "object",
  properties: {
    uuid,
    chatUuid: uuid,
    role: { enum: [...MESSAGE_ROLES] },
    content: { type: "string", description: "The text so far (a pending answer grows: poll its tokens from `position`)." },
    status: { enum: [...MESSAGE_STATUSES] },
    position: { type: "integer", minimum: 0, description: "Length of `content` in Unicode code points." },
    createdAt: time,
    error: { type: "string", description: "Why a failed message failed, in a sentence a person can act on." },
    author: { ...object({ id: { type: "string" }, name: { type: "string" } }), description: "Who sent a user message." },
    parts: {
      type: "array",
      items: ref("Part"),
      description: "An answer's parts beyond its text (reasoning, tool calls, sources, where each stretch of `content` starts), when it has any (docs/design.md §3.11).",
    },
    partsCursor: { type: "string", description: "With `parts`: poll tokens with `?parts=` this cursor to get what changes in them." },
    notes: {
      type: "array",
      items: { type: "string" },
      description: "An answer's notes for people: each file of the question its model was not given whole, and why (docs/design.md §3.13). Written as the generation starts.",
    },
    attachments: { type: "array", items: ref("Attachment"), description: "Files sent with a user message (docs/design.md §3.13), when it has any." },
    versions: {
      type: "array",
      items: uuid,
      minItems: 2,
      description:
        "When this message has other versions (it was edited, or the answer regenerated): the uuids of all of them, oldest first, this one included. POST /chat/{uuid}/branch with one of them switches the conversation to it (docs/design.md §3.12).",
    },
  },
  required: ["uuid", "chatUuid", "role", "content", "status", "position", "createdAt"],
  additionalProperties: false,
};

const sharedMessage: Schema = {
  ...message,
  description: "A Message as a share link shows it: without `chatUuid`, naming nobody.",
  properties: Object.fromEntries(Object.entries(message.properties as Record<string, Schema>).filter(([k]) => k !== "chatUuid" && k !== "author" && k !== "versions")),
  required: (message.required as string[]).filter((k) => k !== "chatUuid"),
};

export const schemas: Record<string, Schema> = {
  Error: object({
    error: object(
      {
        code: { type: "string", enum: ERROR_CODES },
        message: { type: "string", description: "A sentence a person can act on." },
        details: {
          description: "validation_error: the problems, one per field. rate_limited (quotas): which limit, its use and its maximum.",
          oneOf: [
            { type: "array", items: object({ path: { type: "string" }, message: { type: "string" } }) },
            object({ limit: { type: "string" }, used: { type: "number" }, max: { type: "number" } }),
          ],
        },
        retryAfter: { type: "number", description: "Seconds, with 429 and 503 (also in the Retry-After header)." },
      },
      ["code", "message"],
    ),
  }),
  Chat: object({
    uuid,
    title: { type: "string" },
    status: { enum: ["active", "archived"] },
    agent: { type: "string" },
    model: nullable({ type: "string", description: "An id from GET /api/models." }),
    createdAt: time,
    updatedAt: time,
    role: { enum: [...MEMBER_ROLES], description: "The reader's role in the chat." },
    shared: { type: "boolean", description: "It has other members than its owner." },
    unread: { type: "boolean", description: "In the chat list: something arrived since the reader last had the chat open." },
  }, ["uuid", "title", "status", "agent", "model", "createdAt", "updatedAt", "role", "shared"]),
  Message: message,
  Attachment: object({
    uuid,
    name: { type: "string", description: "As uploaded (its last path segment, at most 255 characters)." },
    mediaType: { enum: ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"], description: "Sniffed from the content." },
    size: { type: "integer", minimum: 1, description: "Bytes." },
    url: { type: "string", description: "Where the reader gets the bytes: /chat/attachment/{uuid} for members, /share/{shareUuid}/attachment/{uuid} through a share link." },
  }),
  Tokens: object(
    {
      tokens: { type: "string" },
      status: { enum: [...MESSAGE_STATUSES] },
      append: { type: "boolean", description: "true: add `tokens` to what you show; false: `tokens` is the whole text, replace it." },
      position: { type: "integer", minimum: 0, description: "The new position (code points)." },
      error: { type: "string" },
      parts: { ...ref("PartsDelta"), description: "Only when asked with `?parts=<cursor>`: what changed in the answer's parts since that cursor." },
      notes: {
        type: "array",
        items: { type: "string" },
        description: "The answer's notes (as Message's), once it has any: they are written as its generation starts, possibly after a messages poll brought the pending answer.",
      },
    },
    ["tokens", "status", "append", "position"],
  ),
  Part: {
    description: "One part of an answer (lib/parts.ts). Times are ISO 8601 by the server's clock.",
    oneOf: [
      object(
        {
          type: { const: "text" },
          start: { type: "integer", minimum: 0, description: "Where this stretch of the visible text starts (code points); it ends where the next text part starts." },
          step: { type: "integer", minimum: 0 },
        },
        ["type", "start", "step"],
      ),
      object(
        { type: { const: "reasoning" }, text: { type: "string" }, startedAt: time, endedAt: { ...time, description: "Absent while the model still thinks." } },
        ["type", "text", "startedAt"],
      ),
      object(
        {
          type: { const: "tool" },
          callId: { type: "string" },
          name: { type: "string" },
          source: { type: "string", description: "\"builtin\", an MCP server's configured name, or \"model\"." },
          step: { type: "integer", minimum: 0 },
          input: { description: "The call's arguments (JSON)." },
          status: { enum: ["input", "awaiting-approval", "running", "done", "error", "denied"] },
          output: { description: "What the tool returned (JSON), when done: show it as inert text." },
          error: { type: "string" },
          needsApproval: { type: "boolean" },
          decidedBy: object({ id: { type: "string" }, name: { type: "string" } }),
          askedAt: { ...time, description: "When it began to wait for approval." },
          startedAt: time,
          endedAt: time,
        },
        ["type", "callId", "name", "source", "step", "status"],
      ),
      object({ type: { const: "source" }, url: { type: "string" }, title: { type: "string" }, from: { type: "string" } }, ["type", "url"]),
    ],
  },
  PartEvent: {
    description: "One change to an answer's parts: add a part at the end, append text to a reasoning part, or merge fields into a part.",
    oneOf: [
      object({ op: { const: "add" }, id: { type: "string" }, part: ref("Part") }),
      object({ op: { const: "append" }, id: { type: "string" }, i: { type: "integer", minimum: 0 }, text: { type: "string" } }),
      object({ op: { const: "set" }, id: { type: "string" }, i: { type: "integer", minimum: 0 }, fields: { type: "object" } }),
    ],
  },
  PartsDelta: object({
    events: { type: "array", items: ref("PartEvent"), description: "Apply in order (to an empty list when `reset`)." },
    reset: { type: "boolean", description: "true: replace the parts you have with what these events build." },
    cursor: { type: "string", description: "Send it back as `parts` on the next poll." },
  }),
  ChatMessages: object({
    messages: { type: "array", items: ref("Message") },
    chat: ref("Chat"),
    presence: {
      type: "array",
      description: "The other members who have the chat open now (polled in the last 10 s); `typing`: their draft is not empty.",
      items: object({ userId: { type: "string" }, name: { type: "string" }, typing: { type: "boolean" } }),
    },
    generation: nullable({
      ...object({ status: { enum: ["queued", "running"] }, requestedBy: nullable(object({ id: { type: "string" }, name: { type: "string" } })) }),
      description: "The answer in progress and who asked for it.",
    }),
  }),
  Member: object({
    userId: { type: "string" },
    name: { type: "string" },
    email: nullable({ type: "string" }),
    role: { enum: [...MEMBER_ROLES] },
    joinedAt: time,
    present: { type: "boolean" },
    typing: { type: "boolean" },
  }),
  Invite: object({ uuid, role: { enum: ["editor", "viewer"] }, createdAt: time, expiresAt: time, uses: { type: "integer", minimum: 0, description: "How many people joined through it." } }),
  PendingInvitation: object({
    uuid,
    userId: { type: "string" },
    name: { type: "string" },
    email: nullable({ type: "string" }),
    role: { enum: ["editor", "viewer"] },
    createdAt: time,
  }),
  Invitation: object({
    uuid,
    chat: object({ uuid, title: { type: "string" } }),
    role: { enum: ["editor", "viewer"] },
    invitedBy: object({ id: { type: "string" }, name: { type: "string" } }),
    createdAt: time,
  }),
  ChatInstructions: object({
    agent: { type: "string", description: "The agent's name." },
    systemPrompt: nullable({ type: "string", description: "The system prompt the chat's answers are generated with." }),
    custom: { type: "boolean", description: "The prompt is not the agent's own (an imported chat, say)." },
  }),
  NewInvite: object({
    uuid,
    role: { enum: ["editor", "viewer"] },
    createdAt: time,
    expiresAt: time,
    uses: { type: "integer", minimum: 0 },
    token: { type: "string" },
    path: { type: "string" },
  }),
  Members: object(
    {
      members: { type: "array", items: ref("Member") },
      role: { enum: [...MEMBER_ROLES], description: "The reader's role." },
      invites: { type: "array", items: ref("Invite"), description: "The open invite links: the owner only." },
      pending: { type: "array", items: ref("PendingInvitation"), description: "Invitations by email waiting for an answer: the owner only." },
      instructions: ref("ChatInstructions"),
    },
    ["members", "role", "instructions"],
  ),
  InviteInfo: object({
    chatUuid: uuid,
    chatTitle: { type: "string" },
    role: { enum: ["editor", "viewer"] },
    invitedBy: { type: "string" },
    memberRole: nullable({ enum: [...MEMBER_ROLES] }),
  }),
  MessageAnswer: object({ message: ref("Message") }),
  ChatAnswer: object({ chat: ref("Chat") }),
  ChatList: object({ chats: { type: "array", items: ref("Chat") }, nextCursor: nullable({ type: "string" }) }),
  Model: object({
    id: { type: "string" },
    label: { type: "string" },
    provider: { type: "string" },
    demo: { type: "boolean" },
    input: {
      ...object({
        images: { type: "boolean", description: "Attached images are given to it as images; otherwise its answer carries a note that it could not see them." },
        pdf: { type: "boolean", description: "Attached PDFs are given to it as files; otherwise their extracted text is." },
      }),
      description: "What the model reads of attached files besides text (text files go to every model as text). Set by IMAGE_MODELS and PDF_MODELS.",
    },
  }),
  Agent: object(
    { id: { type: "string" }, name: { type: "string" }, description: { type: "string" }, greeting: { type: "string" } },
    ["id", "name", "description"],
  ),
  User: object({
    id: { type: "string" },
    email: { type: "string" },
    name: nullable({ type: "string" }),
    emailVerified: { type: "boolean", description: "False for a new account until the mailed link is followed." },
    converted: { type: "boolean", description: "A signed-in guest became this account (same user, every chat kept)." },
  }),

  SharedChat: object({
    shareUuid: uuid,
    title: { type: "string" },
    status: { enum: ["active", "archived"] },
    agent: { type: "string" },
    createdAt: time,
    updatedAt: time,
  }),
  SharedMessage: sharedMessage,
  SharedChatMessages: object({ messages: { type: "array", items: ref("SharedMessage") }, chat: ref("SharedChat") }),
  ShareState: object({
    share: object({
      shared: { type: "boolean" },
      shareUuid: nullable(uuid),
      path: nullable({ type: "string", description: "The read-only page: /share/{shareUuid}." }),
    }),
  }),

  ApiToken: object({
    uuid,
    name: { type: "string" },
    prefix: { type: "string", description: "The token's first characters, to tell tokens apart." },
    createdAt: time,
    lastUsedAt: nullable({ ...time, description: "Recorded at most once a minute." }),
  }),
  NewApiToken: object({
    token: { type: "string", pattern: "^pc_[A-Za-z0-9_-]{43}$", description: "Shown this once; only its SHA-256 is stored." },
    apiToken: ref("ApiToken"),
  }),

  ExportFile: { ...fromZod(importFile), description: "Chats with their messages, oldest first (version 1). What GET /api/export writes and POST /api/import reads." },
  ImportResult: object({
    imported: {
      type: "array",
      items: object(
        {
          uuid,
          title: { type: "string" },
          messages: { type: "integer" },
          from: { ...uuid, description: "The uuid in the file, when another account's chat has it and this one got another." },
          filesLeftOut: {
            type: "integer",
            minimum: 1,
            description: "Files the file names only by SHA-256 (the all-chats export) that this account does not keep on this server: the messages are imported without them.",
          },
        },
        ["uuid", "title", "messages"],
      ),
    },
    skipped: {
      type: "array",
      description: "Chats of the file that are already yours (imported before, or never gone): an import never overwrites, so importing twice creates nothing new.",
      items: object({ uuid, title: { type: "string" }, reason: { const: "exists" } }),
    },
  }),
};

export const parameters: Record<string, Schema> = {
  ChatUuid: { name: "uuid", in: "path", required: true, description: "A chat's uuid.", schema: uuid },
  MessageUuid: { name: "uuid", in: "path", required: true, description: "A message's uuid.", schema: uuid },
  LastUuid: { name: "last_uuid", in: "path", required: true, description: "The newest message the client has.", schema: uuid },
  Position: { name: "position", in: "path", required: true, description: "Code points of the text the client already has.", schema: { type: "integer", minimum: 0 } },
  ShareUuid: { name: "uuid", in: "path", required: true, description: "The share uuid of a public link (/share/{uuid}), not the chat's uuid.", schema: uuid },
  SharedMessageUuid: { name: "message_uuid", in: "path", required: true, description: "A message of the shared chat.", schema: uuid },
  TokenUuid: { name: "uuid", in: "path", required: true, description: "An API token's uuid (not the token).", schema: uuid },
  HxRequest: {
    name: "HX-Request",
    in: "header",
    required: false,
    description: "`true` from htmx: the answer is an HTML fragment instead of JSON (see /lite).",
    schema: { type: "string", enum: ["true"] },
  },
};

const errorResponse = (description: string, headers?: Schema): Schema => ({
  description,
  content: { "application/json": { schema: ref("Error") } },
  ...(headers ? { headers } : {}),
});
const retryAfter: Schema = { "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } } };

export const responses: Record<string, Schema> = {
  Error400: errorResponse("Bad input: validation_error, invalid_json, bad_request."),
  Error401: errorResponse("Not signed in (no session, or a token that is unknown or revoked): unauthorized. JSON, never a redirect."),
  Error403: errorResponse("forbidden (a cross-site request, or a role that may not do this) or account_disabled."),
  Error404: errorResponse("not_found: missing, or not yours (the same answer)."),
  Error409: errorResponse("conflict, email_taken or generation_in_progress."),
  Error413: errorResponse("payload_too_large, or storage_full (an upload past the user's storage quota)."),
  Error415: errorResponse("unsupported_media_type: send JSON or a url-encoded form (an upload: multipart/form-data, with a file of a type the app takes)."),
  Error429: errorResponse("rate_limited.", retryAfter),
  Error503: errorResponse("service_unavailable: the database is unreachable.", retryAfter),
};

export const securitySchemes: Record<string, Schema> = {
  sessionCookie: {
    type: "apiKey",
    in: "cookie",
    name: SESSION_COOKIE_NAME,
    description: `The Auth.js session cookie, set by signing in (POST /api/auth/callback/credentials). Over HTTPS it is named __Secure-${SESSION_COOKIE_NAME}.`,
  },
  bearerToken: {
    type: "http",
    scheme: "bearer",
    description: "A personal API token (pc_…), made on /account/tokens or with POST /api/tokens: `Authorization: Bearer pc_…`.",
  },
  operatorToken: {
    type: "http",
    scheme: "bearer",
    description: "An operator's token from the environment: METRICS_TOKEN for /api/metrics, OPS_TOKEN for /api/ops/invariants. Never a session.",
  },
};
