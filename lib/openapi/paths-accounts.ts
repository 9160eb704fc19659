/** The signed-in user's usage and quotas, and the admin API (README, "Accounts, quotas and the admin area"). */
import { errors, fromZod, json, jsonBody, object, type Paths, type Schema } from "./build";
import { generationsQuery, userParams, userPatchBody, usersQuery } from "../admin/admin-actions";

const ADMIN_NOTE = "Admins only: anyone else gets 404, exactly as for a path that does not exist.";
const int: Schema = { type: "integer", minimum: 0 };
const time: Schema = { type: "string", format: "date-time" };
const nullable = (s: Schema): Schema => ({ oneOf: [s, { type: "null" }] });
const quotas: Schema = object({ messagesPerHour: int, tokensPerDay: int, concurrent: int, storageBytes: { ...int, description: "Bytes of files the user may keep (docs/design.md §3.13)." } });

const quota = object({
  name: { enum: ["messagesPerHour", "tokensPerDay", "concurrent", "storageBytes"], description: "storageBytes: the user's files, in bytes (it never resets)." },
  label: { type: "string" },
  limit: { ...int, description: "0: no limit." },
  used: int,
  overridden: { type: "boolean", description: "Set for this user by an admin rather than the server's default." },
  resetsAt: nullable(time),
  resetsIn: nullable({ ...int, description: "Seconds until sending is possible again, while the limit is reached." }),
  untilReset: nullable(int),
});
const totals = { requests: int, inputTokens: int, outputTokens: int, estimated: { type: "boolean", description: "Some figures are estimates (the demo model, stopped answers)." } };

const adminUser = object({
  id: { type: "string" },
  email: nullable({ type: "string" }),
  name: nullable({ type: "string" }),
  role: { enum: ["user", "admin"] },
  guest: { type: "boolean" },
  disabled: { type: "boolean" },
  disabledAt: nullable(time),
  createdAt: time,
  quota: { type: "object", description: "The admin's overrides (absent: the default applies)." },
  limits: { ...quotas, description: "What applies; 0 means no limit." },
  usage: object({ tokensToday: int, tokens30d: int, requests30d: int, messagesLastHour: int, active: int }),
});
const generation = object({
  uuid: { type: "string", format: "uuid" },
  chatUuid: { type: "string", format: "uuid" },
  user: object({ id: { type: "string" }, email: nullable({ type: "string" }), guest: { type: "boolean" } }),
  model: { type: "string" },
  status: { type: "string" },
  attempt: int,
  createdAt: time,
  startedAt: nullable(time),
  finishedAt: nullable(time),
  error: nullable({ type: "string" }),
});

const queryOf = (schema: { shape: Record<string, unknown> }): Schema[] =>
  Object.keys(schema.shape).map((name) => ({ name, in: "query", schema: (fromZod(schema as never).properties as Record<string, Schema>)[name] }));
const userId: Schema = { name: "id", in: "path", required: true, description: "A user's id.", schema: (fromZod(userParams).properties as Record<string, Schema>).id };

export const accountPaths: Paths = {
  "/api/account/usage": {
    get: {
      operationId: "accountUsage",
      summary: "Your quotas (limit, used, when each resets) and usage per UTC day and model, last 30 days",
      tags: ["Accounts"],
      responses: {
        "200": json(
          "Quotas and usage.",
          object({
            quotas: { type: "array", items: quota },
            days: { type: "array", items: { type: "object", description: "One row per UTC day and model: day, model, requests, inputTokens, outputTokens, estimated." } },
            totals: object({ today: object(totals), period: object({ ...totals, days: int }) }),
          }),
        ),
        ...errors(401, 403, 503),
      },
    },
  },
  "/api/admin/users": {
    get: {
      operationId: "adminListUsers",
      summary: "Every user, newest first, with their usage and quotas",
      description: ADMIN_NOTE,
      tags: ["Admin"],
      parameters: queryOf(usersQuery),
      responses: { "200": json("A page of users.", object({ users: { type: "array", items: adminUser }, nextCursor: nullable({ type: "string" }) })), ...errors(400, 401, 403, 404, 503) },
    },
  },
  "/api/admin/users/{id}": {
    get: {
      operationId: "adminGetUser",
      summary: "One user with their usage and quotas",
      description: ADMIN_NOTE,
      tags: ["Admin"],
      parameters: [userId],
      responses: { "200": json("The user.", object({ user: adminUser })), ...errors(400, 401, 403, 404, 503) },
    },
    patch: {
      operationId: "adminUpdateUser",
      summary: "Disable or enable a user, set or clear their quota overrides",
      description: `${ADMIN_NOTE} Disabling stops the user's sessions, API tokens and answers in flight at once; an admin cannot disable themselves (403).`,
      tags: ["Admin"],
      parameters: [userId],
      requestBody: jsonBody(fromZod(userPatchBody)),
      responses: { "200": json("The user.", object({ user: adminUser })), ...errors(400, 401, 403, 404, 413, 415, 503) },
    },
  },
  "/api/admin/generations": {
    get: {
      operationId: "adminGenerations",
      summary: "Generations in flight, and failed ones of the last 7 days with their errors (never text)",
      description: ADMIN_NOTE,
      tags: ["Admin"],
      parameters: queryOf(generationsQuery),
      responses: { "200": json("Generations.", object({ inFlight: { type: "array", items: generation }, failed: { type: "array", items: generation } })), ...errors(400, 401, 403, 404, 503) },
    },
  },
  "/api/admin/tool-runs": {
    get: {
      operationId: "adminToolRuns",
      summary: "The latest 100 tool calls: tool, source, status, duration, whose answer (never input or output)",
      description: ADMIN_NOTE,
      tags: ["Admin"],
      responses: {
        "200": json(
          "Tool runs, newest first.",
          object({
            runs: {
              type: "array",
              items: object({
                id: { type: "string", format: "uuid" },
                tool: { type: "string" },
                source: { type: "string" },
                status: { enum: ["done", "error", "denied"] },
                ms: { type: "integer", minimum: 0 },
                createdAt: { type: "string", format: "date-time" },
                user: { oneOf: [object({ id: { type: "string" }, email: { oneOf: [{ type: "string" }, { type: "null" }] } }), { type: "null" }] },
              }),
            },
          }),
        ),
        ...errors(401, 403, 404, 503),
      },
    },
  },
};
