/** The chat protocol (docs/design.md §3.2) and the rest of the chat API. */
import { errors, json, jsonBody, jsonOrFragment, object, param, ref, type Paths } from "./build";

const uuidOrEmpty = { type: "string", description: "A client-made UUID: replaying it answers what it made, never a duplicate." };
const model = { type: "string", maxLength: 200, description: "An id from GET /api/models." };
const tags = ["Chats"];
const timeZone = { type: "string", maxLength: 64, description: "The sender's IANA time zone (the clock tool answers in it); an unknown one is ignored." };
const htmx = param("HxRequest");
/** Files sent with a message (docs/design.md §3.13). */
const attachments = {
  type: "array",
  items: { type: "string", format: "uuid" },
  description:
    "Uploads (POST /chat/{uuid}/attachments, or POST /chat/attachments before the chat existed) to send with the message: the sender's own, of this chat or of no chat yet (which joins this chat), not sent yet; at most MAX_ATTACHMENTS_PER_MESSAGE (10), else 400. A form repeats the field.",
};
/** `?parts=`: the client knows an answer's parts (docs/design.md §3.11). */
export const PARTS_CURSOR = {
  name: "parts",
  in: "query",
  required: false,
  description: "Ask for the answer's parts too: 0 at first, then the `cursor` the last answer gave.",
  schema: { type: "string", pattern: "^(0|[1-9][0-9]{0,8}\\.[A-Za-z0-9_-]{1,32})$" },
};

export const chatPaths: Paths = {
  "/chat/create": {
    post: {
      operationId: "createChat",
      summary: "Create a chat",
      tags,
      parameters: [htmx],
      requestBody: jsonBody(
        object(
          { uuid: uuidOrEmpty, agent: { type: "string", maxLength: 64, description: "An id from GET /api/agents." }, title: { type: "string", maxLength: 200 }, model },
          [],
        ),
        { form: true, required: false },
      ),
      responses: {
        "201": jsonOrFragment("The new chat.", ref("ChatAnswer")),
        "200": jsonOrFragment("The chat this uuid already made.", ref("ChatAnswer")),
        ...errors(400, 401, 403, 409, 413, 415, 429, 503),
      },
    },
  },
  "/chat/list": {
    get: {
      operationId: "listChats",
      summary: "The user's chats, newest activity first",
      tags,
      parameters: [
        { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 30 } },
        { name: "cursor", in: "query", description: "`nextCursor` of the previous page.", schema: { type: "string", maxLength: 200 } },
        { name: "q", in: "query", description: "Search in titles.", schema: { type: "string", maxLength: 200 } },
        { name: "status", in: "query", schema: { enum: ["active", "archived"] } },
      ],
      responses: { "200": json("A page of chats.", ref("ChatList")), ...errors(400, 401, 403, 503) },
    },
  },
  "/chat/{uuid}/messages": {
    get: {
      operationId: "getMessages",
      summary: "All messages of a chat's active branch, oldest first",
      description: "Polled by clients (every 300 ms) with a last uuid: see the next path.",
      tags,
      parameters: [param("ChatUuid"), htmx],
      responses: { "200": jsonOrFragment("The chat and its messages.", ref("ChatMessages")), ...errors(400, 401, 403, 404, 503) },
    },
  },
  "/chat/{uuid}/messages/{last_uuid}": {
    get: {
      operationId: "getMessagesAfter",
      summary: "The messages after last_uuid",
      description:
        "404 `unknown_last_message` when last_uuid is not in the chat or no longer on its active branch (regenerated, edited, or another branch chosen): reload the whole list. With htmx, 204 when nothing is new.",
      tags,
      parameters: [param("ChatUuid"), param("LastUuid"), htmx],
      responses: { "200": jsonOrFragment("The messages after last_uuid (its own text left out).", ref("ChatMessages")), "204": { description: "htmx only: nothing new." }, ...errors(400, 401, 403, 404, 503) },
    },
  },
  "/chat/{uuid}/send": {
    post: {
      operationId: "sendMessage",
      summary: "Send a message; its answer is generated on the server",
      tags,
      parameters: [param("ChatUuid"), htmx],
      requestBody: jsonBody(
        object({ content: { type: "string", description: "1 to MAX_MESSAGE_CHARS (32,000) code points; may be empty when `attachments` names files." }, uuid: uuidOrEmpty, model, timeZone, attachments }, ["content"]),
        { form: true },
      ),
      responses: {
        "201": jsonOrFragment("The user's message, pending.", ref("MessageAnswer")),
        "200": jsonOrFragment("The message this uuid already made (also while it is answered).", ref("MessageAnswer")),
        ...errors(400, 401, 403, 404, 409, 413, 415, 429, 503),
      },
    },
  },
  "/chat/{uuid}/regenerate": {
    post: {
      operationId: "regenerate",
      summary: "Answer the last user message again (its old answer stays, as another version)",
      tags,
      parameters: [param("ChatUuid"), htmx],
      requestBody: jsonBody(object({ model }, []), { form: true, required: false }),
      responses: { "201": jsonOrFragment("The user message being answered again.", ref("MessageAnswer")), ...errors(400, 401, 403, 404, 409, 413, 415, 429, 503) },
    },
  },
  "/chat/{uuid}/edit": {
    post: {
      operationId: "editMessage",
      summary: "Edit a user message: a new version of it, answered (the old one and what followed it stay, as another branch)",
      tags,
      parameters: [param("ChatUuid"), htmx],
      requestBody: jsonBody(
        object(
          {
            messageUuid: { type: "string", format: "uuid" },
            content: { type: "string" },
            uuid: uuidOrEmpty,
            model,
            attachments: { ...attachments, description: `${attachments.description} Absent: the new message keeps the edited one's files.` },
          },
          ["messageUuid", "content"],
        ),
        { form: true },
      ),
      responses: {
        "201": jsonOrFragment("The new user message, pending.", ref("MessageAnswer")),
        "200": jsonOrFragment("The message this uuid already made.", ref("MessageAnswer")),
        ...errors(400, 401, 403, 404, 409, 413, 415, 429, 503),
      },
    },
  },
  "/chat/{uuid}/branch": {
    post: {
      operationId: "switchBranch",
      summary: "Switch the conversation to one version of a message",
      description:
        "Selects that version (and the versions above it), so the conversation follows it, with what was chosen below it last time (docs/design.md §3.12). Idempotent. Owner and editors; 409 while an answer is being generated. Other clients learn it from their polls (404 `unknown_last_message`, then the whole list).",
      tags,
      parameters: [param("ChatUuid"), htmx],
      requestBody: jsonBody(object({ messageUuid: { type: "string", format: "uuid", description: "One of a message's `versions`." } }, ["messageUuid"]), { form: true }),
      responses: {
        "200": jsonOrFragment("The messages poll of the whole chat after the switch (htmx: the message list).", ref("ChatMessages")),
        ...errors(400, 401, 403, 404, 409, 415, 503),
      },
    },
  },
  "/chat/message/{uuid}/tokens/{position}": {
    get: {
      operationId: "getTokens",
      summary: "A message's text from position on",
      description:
        "append:true: add `tokens`; append:false: replace the text with `tokens`. Final statuses: completed, failed, cancelled. With htmx, 204 when nothing is new. With `?parts=<cursor>` the answer also carries what changed in the message's parts (docs/design.md §3.11).",
      tags,
      parameters: [param("MessageUuid"), param("Position"), PARTS_CURSOR, htmx],
      responses: { "200": jsonOrFragment("The text from position on.", ref("Tokens")), "204": { description: "htmx only: nothing new." }, ...errors(400, 401, 403, 404, 503) },
    },
  },
  "/chat/message/{uuid}/tools/{call_id}": {
    post: {
      operationId: "decideToolCall",
      summary: "Allow or refuse a tool call that waits for a member's approval",
      description: "Any member who may write in the chat. The call's part changes on the next polls (running, then done or error; or denied).",
      tags,
      parameters: [param("MessageUuid"), { name: "call_id", in: "path", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9_.:-]{1,128}$" } }, htmx],
      requestBody: jsonBody(object({ approve: { oneOf: [{ type: "boolean" }, { enum: ["1", "0", "true", "false"] }] } }), { form: true }),
      responses: {
        "200": json("Recorded.", object({ approved: { type: "boolean" } })),
        "204": { description: "htmx only: recorded." },
        ...errors(400, 401, 403, 404, 409, 415, 503),
      },
    },
  },
  "/chat/message/{uuid}/cancel": {
    post: {
      operationId: "cancelMessage",
      summary: "Stop the answer of this message (or this answer), keeping its text; idempotent",
      tags,
      parameters: [param("MessageUuid"), htmx],
      responses: { "200": jsonOrFragment("The message.", ref("MessageAnswer")), ...errors(400, 401, 403, 404, 415, 503) },
    },
  },
  "/api/chats/{uuid}": {
    patch: {
      operationId: "updateChat",
      summary: "Rename, archive or switch the model of a chat",
      description: "Renaming and the model: owner and editors. Archiving: the owner.",
      tags,
      parameters: [param("ChatUuid")],
      requestBody: jsonBody({
        ...object({ title: { type: "string", maxLength: 200 }, status: { enum: ["active", "archived"] }, model }, []),
        minProperties: 1,
      }),
      responses: { "200": json("The chat.", ref("ChatAnswer")), ...errors(400, 401, 403, 404, 413, 415, 503) },
    },
    delete: {
      operationId: "deleteChat",
      summary: "Delete a chat and everything in it (its owner; a running answer stops)",
      tags,
      parameters: [param("ChatUuid")],
      responses: { "200": json("Deleted.", object({ deleted: { const: true } })), ...errors(400, 401, 403, 404, 503) },
    },
  },
  "/api/models": {
    get: {
      operationId: "listModels",
      summary: "The models a chat can answer with",
      tags: ["Models"],
      responses: { "200": json("The models and the default one.", object({ models: { type: "array", items: ref("Model") }, default: { type: "string" } })), ...errors(401, 403) },
    },
  },
  "/api/agents": {
    get: {
      operationId: "listAgents",
      summary: "The agents a chat can start with",
      tags: ["Models"],
      responses: { "200": json("The agents.", object({ agents: { type: "array", items: ref("Agent") } })), ...errors(401, 403) },
    },
  },
};
