/** Export and import of chats, and personal API tokens. */
import { errors, fromZod, jsonBody, json, object, param, ref, type Paths, type Schema } from "./build";
import { createTokenBody } from "../tokens/api-tokens";

const download = (description: string, types: Record<string, Schema>): Schema => ({
  description,
  headers: { "Content-Disposition": { description: "attachment; filename=\"…\"", schema: { type: "string" } } },
  content: types,
});

export const dataPaths: Paths = {
  "/api/chats/{uuid}/export": {
    get: {
      operationId: "exportChat",
      summary: "Download one chat as Markdown or JSON (any member)",
      description: "The JSON is an export file holding this one chat, its files' bytes included (base64 `data`): POST /api/import takes it. The Markdown lists each message's files by name.",
      tags: ["Export and import"],
      parameters: [param("ChatUuid"), { name: "format", in: "query", schema: { enum: ["md", "json"], default: "md" } }],
      responses: {
        "200": download("The chat.", { "text/markdown": { schema: { type: "string" } }, "application/json": { schema: ref("ExportFile") } }),
        ...errors(400, 401, 403, 404, 503),
      },
    },
  },
  "/api/export": {
    get: {
      operationId: "exportAll",
      summary: "Download every chat the user owns as one JSON file",
      description: "Files are referenced by SHA-256 only (no `data`): an import into an account that still keeps those files on this server restores them; export one chat as JSON to carry a file's bytes.",
      tags: ["Export and import"],
      responses: { "200": download("The export file.", { "application/json": { schema: ref("ExportFile") } }), ...errors(401, 403, 503) },
    },
  },
  "/api/import": {
    post: {
      operationId: "importChats",
      summary: "Create the chats of an export file again, all or none",
      description:
        "A chat keeps its uuid (and its messages theirs) when free; when another account's chat has it, it gets a uuid derived from yours and it, the same at every import. A chat that is already yours (by either uuid) is skipped, so importing a file twice creates nothing new and never overwrites. A message still pending in the file is imported cancelled. At most IMPORT_MAX_BYTES (8 MB) a file: 413 above; at most IMPORTS_PER_HOUR imports per user and hour, and each chat of the file takes one of the hour's chat creations (CHATS_PER_HOUR, guests GUEST_CHATS_PER_HOUR; chats already yours are given back): 429 above, importing nothing (without Retry-After when the file alone holds more chats than an hour allows). An imported chat's system prompt is shown to every member (GET /api/chats/{uuid}/members, `instructions`). Files (docs/design.md §3.13): one with `data` is checked like an upload (its SHA-256 must match, MAX_ATTACHMENT_BYTES: 413, its type read from the bytes: 415) and counts toward the importer's storage (413 storage_full, importing nothing); one without `data` is restored only from a file the importer keeps on this server, else left out (`filesLeftOut`).",
      tags: ["Export and import"],
      requestBody: jsonBody(ref("ExportFile")),
      responses: {
        "201": json("Chats were created.", ref("ImportResult")),
        "200": json("Every chat of the file was already there.", ref("ImportResult")),
        ...errors(400, 401, 403, 409, 413, 415, 429, 503),
      },
    },
  },
  "/api/tokens": {
    get: {
      operationId: "listTokens",
      summary: "The user's live API tokens, newest first (never the tokens themselves)",
      tags: ["API tokens"],
      responses: { "200": json("The tokens.", object({ tokens: { type: "array", items: ref("ApiToken") } })), ...errors(401, 403, 503) },
    },
    post: {
      operationId: "createToken",
      summary: "Create an API token, shown this once",
      description: "Needs a session: a request made with an API token cannot create tokens (403). At most 50 live tokens (409).",
      tags: ["API tokens"],
      requestBody: jsonBody(fromZod(createTokenBody), { form: true }),
      responses: { "201": json("The token, shown this once.", ref("NewApiToken")), ...errors(400, 401, 403, 409, 413, 415, 503) },
    },
  },
  "/api/tokens/{uuid}": {
    delete: {
      operationId: "revokeToken",
      summary: "Revoke an API token: it stops working at its next request; idempotent",
      tags: ["API tokens"],
      parameters: [param("TokenUuid")],
      responses: { "200": json("Revoked.", object({ revoked: { const: true } })), ...errors(400, 401, 403, 404, 503) },
    },
  },
};
