/**
 * The whole database schema: Auth.js tables, chats, messages and LLM requests.
 * Row types are inferred next to each table; migrations are generated from this
 * file by drizzle-kit (`npm run db:generate`) and committed under db/migrations.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const createdAt = () =>
  timestamp("created_at", { withTimezone: true, mode: "date" })
    .notNull()
    .default(sql`clock_timestamp()`);

// ---------------------------------------------------------------- Auth.js

export const users = pgTable("user", {
  id: text("id")
    .primaryKey()
    .$defaultFn(() => crypto.randomUUID()),
  name: text("name"),
  email: text("email").unique(),
  emailVerified: timestamp("emailVerified", { mode: "date" }),
  image: text("image"),
  /** scrypt hash (see lib/auth/password.ts); null for OAuth-only accounts. */
  passwordHash: text("password_hash"),
  createdAt: createdAt(),
});
export type User = typeof users.$inferSelect;

export const accounts = pgTable(
  "account",
  {
    userId: text("userId")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    provider: text("provider").notNull(),
    providerAccountId: text("providerAccountId").notNull(),
    refresh_token: text("refresh_token"),
    access_token: text("access_token"),
    expires_at: integer("expires_at"),
    token_type: text("token_type"),
    scope: text("scope"),
    id_token: text("id_token"),
    session_state: text("session_state"),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerAccountId] })],
);

export const sessions = pgTable("session", {
  sessionToken: text("sessionToken").primaryKey(),
  userId: text("userId")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  expires: timestamp("expires", { mode: "date" }).notNull(),
});

export const verificationTokens = pgTable(
  "verification_token",
  {
    identifier: text("identifier").notNull(),
    token: text("token").notNull(),
    expires: timestamp("expires", { mode: "date" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.identifier, t.token] })],
);

// ---------------------------------------------------------------- chats

export const CHAT_STATUSES = ["active", "archived"] as const;
export type ChatStatus = (typeof CHAT_STATUSES)[number];

/** What a chat was started with; the model and prompt used for its answers. */
export interface ChatParams {
  model?: string;
  systemPrompt?: string;
  temperature?: number;
}

export const chats = pgTable(
  "chat",
  {
    uuid: uuid("uuid").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull().default(""),
    status: text("status").$type<ChatStatus>().notNull().default("active"),
    agent: text("agent").notNull().default("assistant"),
    params: jsonb("params").$type<ChatParams>().notNull().default({}),
    createdAt: createdAt(),
    /** Bumped by every message, so it orders the chat list by activity. */
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (t) => [index("chat_user_updated_idx").on(t.userId, t.updatedAt.desc(), t.uuid)],
);
export type Chat = typeof chats.$inferSelect;

export const MESSAGE_ROLES = ["user", "assistant", "system"] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];
export const MESSAGE_STATUSES = ["pending", "completed", "failed", "cancelled"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const chatMessages = pgTable(
  "chat_message",
  {
    uuid: uuid("uuid").primaryKey(),
    chatUuid: uuid("chat_uuid")
      .notNull()
      .references(() => chats.uuid, { onDelete: "cascade" }),
    role: text("role").$type<MessageRole>().notNull(),
    /** Final text. While an assistant message is pending, its text lives in llm_output_chunk. */
    content: text("content").notNull().default(""),
    status: text("status").$type<MessageStatus>().notNull(),
    llmRequestUuid: uuid("llm_request_uuid"),
    error: text("error"),
    createdAt: createdAt(),
  },
  // "Messages after X" and "all messages" are the hot polling queries.
  (t) => [index("chat_message_chat_order_idx").on(t.chatUuid, t.createdAt, t.uuid)],
);
export type ChatMessage = typeof chatMessages.$inferSelect;

export const LLM_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;
export type LlmStatus = (typeof LLM_STATUSES)[number];

export const llmRequests = pgTable(
  "llm_request",
  {
    uuid: uuid("uuid").primaryKey(),
    chatUuid: uuid("chat_uuid")
      .notNull()
      .references(() => chats.uuid, { onDelete: "cascade" }),
    /** Denormalised owner, so per-user limits need no join. */
    userId: text("user_id").notNull(),
    promptMessageUuid: uuid("prompt_message_uuid").notNull(),
    responseMessageUuid: uuid("response_message_uuid"),
    model: text("model").notNull(),
    /** The request as sent to the model (messages, system prompt, settings). */
    request: jsonb("request").$type<Record<string, unknown>>(),
    status: text("status").$type<LlmStatus>().notNull().default("queued"),
    /** The final output; while running, the output so far is in llm_output_chunk. */
    output: text("output"),
    /** Longest output of an earlier, interrupted attempt: positions up to it are ambiguous. */
    restartFloor: integer("restart_floor").notNull().default(0),
    /** Fencing token: every write of a runner carries the attempt it claimed. */
    attempt: integer("attempt").notNull().default(0),
    leaseUntil: timestamp("lease_until", { withTimezone: true, mode: "date" }),
    cancelRequested: boolean("cancel_requested").notNull().default(false),
    error: text("error"),
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    usageEstimated: boolean("usage_estimated").notNull().default(false),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }),
    firstTokenAt: timestamp("first_token_at", { withTimezone: true, mode: "date" }),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    // At most one generation in flight per chat: the database answers the 409 race.
    uniqueIndex("llm_request_one_active_per_chat")
      .on(t.chatUuid)
      .where(sql`${t.status} in ('queued', 'running')`),
    index("llm_request_user_created_idx").on(t.userId, t.createdAt),
    index("llm_request_active_idx")
      .on(t.status, t.leaseUntil)
      .where(sql`${t.status} in ('queued', 'running')`),
  ],
);
export type LlmRequest = typeof llmRequests.$inferSelect;

/**
 * The output of a running generation, appended in batches. Append-only rows keep the
 * write cost linear in the answer's length (rewriting one growing text column is quadratic).
 */
export const llmOutputChunks = pgTable(
  "llm_output_chunk",
  {
    requestUuid: uuid("request_uuid")
      .notNull()
      .references(() => llmRequests.uuid, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    /** Position (code points) of the chunk's first character in the attempt's output. */
    startPos: integer("start_pos").notNull(),
    text: text("text").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.requestUuid, t.attempt, t.startPos] })],
);
export type LlmOutputChunk = typeof llmOutputChunks.$inferSelect;

// ---------------------------------------------------------------- rate limits of sign-in

export const AUTH_ATTEMPT_SCOPES = ["signin_account", "signin_ip", "register_ip"] as const;
export type AuthAttemptScope = (typeof AUTH_ATTEMPT_SCOPES)[number];

/**
 * Recent failed sign-ins (one row per account and one per client address) and sign-ups (per
 * address), counted over a sliding window by lib/auth/throttle.ts. In the database, not in
 * memory: every app instance must see the same counts. `subject` is a keyed hash of the email
 * or address, so the table holds no personal data; rows older than the window are pruned.
 */
export const authAttempts = pgTable(
  "auth_attempt",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    scope: text("scope", { enum: AUTH_ATTEMPT_SCOPES }).notNull(),
    subject: text("subject").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("auth_attempt_subject_idx").on(t.scope, t.subject, t.createdAt), index("auth_attempt_created_idx").on(t.createdAt)],
);
export type AuthAttempt = typeof authAttempts.$inferSelect;
