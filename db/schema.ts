/**
 * The whole database schema: Auth.js tables, chats, messages and LLM requests.
 * Row types are inferred next to each table; migrations are generated from this
 * file by drizzle-kit (`npm run db:generate`) and committed under db/migrations.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
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
import type { ChatStatus, MemberRole, MessageRole, MessageStatus, UserQuota, UserRole } from "../lib/contract.ts";
import type { Part, PartEvent } from "../lib/parts.ts";

// The words a row may hold are part of the contract (lib/contract.ts); re-exported for db/.
export {
  CHAT_STATUSES,
  MEMBER_ROLES,
  MESSAGE_ROLES,
  MESSAGE_STATUSES,
  USER_ROLES,
  type ChatStatus,
  type MemberRole,
  type MessageRole,
  type MessageStatus,
  type UserQuota,
  type UserRole,
} from "../lib/contract.ts";

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
  /** scrypt hash (see lib/auth/password.ts); null for OAuth-only accounts and guests. */
  passwordHash: text("password_hash"),
  role: text("role").$type<UserRole>().notNull().default("user"),
  /** Set by an admin: every session and API token of the user stops working at once. */
  disabledAt: timestamp("disabled_at", { withTimezone: true, mode: "date" }),
  /** A guest ("try without an account", ALLOW_GUESTS): tighter quotas; signing up keeps the row. */
  guest: boolean("guest").notNull().default(false),
  quota: jsonb("quota").$type<UserQuota>().notNull().default({}),
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

/**
 * Live sign-ins. Sessions are JWTs (Credentials requires it), but each carries a session id
 * (`sid`) that must have a row here: sign-out deletes the row, "sign out everywhere" and a new
 * password delete all of a user's, and the account check joins it, so the cookie stops at once.
 */
export const sessions = pgTable(
  "session",
  {
    sessionToken: text("sessionToken").primaryKey(),
    userId: text("userId")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expires: timestamp("expires", { mode: "date" }).notNull(),
  },
  (t) => [index("session_user_idx").on(t.userId)],
);

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
    /** When a message was last added or an answer last ended (not renames): unread markers compare it. */
    lastMessageAt: timestamp("last_message_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`clock_timestamp()`),
    /** The public read-only link (/share/{shareUuid}); null while the chat is private. */
    shareUuid: uuid("share_uuid").unique(),
  },
  (t) => [index("chat_user_updated_idx").on(t.userId, t.updatedAt.desc(), t.uuid)],
);
export type Chat = typeof chats.$inferSelect;

/**
 * Who may open a chat, and as what. Every chat has exactly one `owner` row (its chat.user_id);
 * access is checked against this table in the query itself, keyed by the chat uuid (so it
 * distributes with the chat). Presence and read state live here too: one row per member.
 */
export const chatMembers = pgTable(
  "chat_member",
  {
    chatUuid: uuid("chat_uuid")
      .notNull()
      .references(() => chats.uuid, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role").$type<MemberRole>().notNull(),
    createdAt: createdAt(),
    /** The member's last poll of the chat's messages: present while recent (10 s). */
    seenAt: timestamp("seen_at", { withTimezone: true, mode: "date" }),
    /** The last poll that said the member's draft is not empty: "X is typing". */
    typingAt: timestamp("typing_at", { withTimezone: true, mode: "date" }),
    /** Everything up to chat.last_message_at as of this time has been seen: unread markers. */
    lastReadAt: timestamp("last_read_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    primaryKey({ columns: [t.chatUuid, t.userId] }),
    // "Chats shared with me" (role in editor, viewer) reads one index range, however many chats I own.
    index("chat_member_user_idx").on(t.userId, t.role, t.chatUuid),
  ],
);
export type ChatMember = typeof chatMembers.$inferSelect;

/** An invite link to a chat (/invite/{token}); only a hash of the token is stored. */
export const chatInvites = pgTable(
  "chat_invite",
  {
    uuid: uuid("uuid").primaryKey(),
    chatUuid: uuid("chat_uuid")
      .notNull()
      .references(() => chats.uuid, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    role: text("role").$type<Exclude<MemberRole, "owner">>().notNull(),
    createdBy: text("created_by")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    /** How many people joined through this link (shown to the owner). */
    uses: integer("uses").notNull().default(0),
  },
  (t) => [index("chat_invite_chat_idx").on(t.chatUuid)],
);
export type ChatInvite = typeof chatInvites.$inferSelect;

/**
 * An invitation by email, waiting for the invitee's answer: nobody becomes a member without
 * accepting. The invitee sees it in the sidebar; declining deletes it.
 */
export const chatInvitations = pgTable(
  "chat_invitation",
  {
    uuid: uuid("uuid").primaryKey(),
    chatUuid: uuid("chat_uuid")
      .notNull()
      .references(() => chats.uuid, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role").$type<Exclude<MemberRole, "owner">>().notNull(),
    invitedBy: text("invited_by")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("chat_invitation_chat_user_idx").on(t.chatUuid, t.userId), index("chat_invitation_user_idx").on(t.userId, t.createdAt)],
);
export type ChatInvitation = typeof chatInvitations.$inferSelect;

/**
 * Someone the owner removed from a chat: an invite link does not bring them back; an invitation
 * by email (accepted) does, and deletes the row.
 */
export const chatRemovals = pgTable(
  "chat_removal",
  {
    chatUuid: uuid("chat_uuid")
      .notNull()
      .references(() => chats.uuid, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.chatUuid, t.userId] })],
);

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
    /** Who sent a user message (null for answers, greetings, and authors whose account is gone). */
    authorId: text("author_id").references(() => users.id, { onDelete: "set null" }),
    /**
     * An ended answer's parts beyond plain text (lib/parts.ts, docs/design.md §3.11); null: text
     * only. While it is pending they live in llm_output_part.
     */
    parts: jsonb("parts").$type<Part[]>(),
    /** The cursor of the last part event folded into `parts` (a tokens poll that has it gets nothing new). */
    partsCursor: text("parts_cursor"),
    /**
     * Branches (docs/design.md §3.12): the message this one follows (null: the chat's first).
     * Messages with the same parent are versions of one another (an edit, a regenerated answer).
     */
    parentUuid: uuid("parent_uuid"),
    /** Among its versions, the one the conversation follows (exactly one per parent). */
    selected: boolean("selected").notNull().default(true),
    /** Off the active branch (an unselected version or below one): the polls leave it out. */
    hidden: boolean("hidden").notNull().default(false),
    /** An answer's notes for people: files that could not be given to the model, and why (§3.13). */
    notes: jsonb("notes").$type<string[]>(),
    createdAt: createdAt(),
  },
  // "Messages after X" and "all messages" are the hot polling queries.
  (t) => [index("chat_message_chat_order_idx").on(t.chatUuid, t.createdAt, t.uuid), index("chat_message_parent_idx").on(t.chatUuid, t.parentUuid)],
);
export type ChatMessage = typeof chatMessages.$inferSelect;

export const LLM_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;
export type LlmStatus = (typeof LLM_STATUSES)[number];
/** How an attempt went on from an interrupted one's text (docs/design.md §5.3). */
export const RESUME_MODES = ["prefill", "instruction", "restart"] as const;
export type ResumeMode = (typeof RESUME_MODES)[number];

export const llmRequests = pgTable(
  "llm_request",
  {
    uuid: uuid("uuid").primaryKey(),
    chatUuid: uuid("chat_uuid")
      .notNull()
      .references(() => chats.uuid, { onDelete: "cascade" }),
    /** Who asked for this answer (the sender, a member of the chat): quotas and usage count it. */
    userId: text("user_id").notNull(),
    promptMessageUuid: uuid("prompt_message_uuid").notNull(),
    responseMessageUuid: uuid("response_message_uuid"),
    model: text("model").notNull(),
    /** The request as sent to the model (messages, system prompt, settings). */
    request: jsonb("request").$type<Record<string, unknown>>(),
    /** What the sender's browser said about them for this answer (their time zone, for the clock tool). */
    context: jsonb("context").$type<{ timeZone?: string }>(),
    status: text("status").$type<LlmStatus>().notNull().default("queued"),
    /** The final output; while running, the output so far is in llm_output_chunk. */
    output: text("output"),
    /** Longest output of an earlier, interrupted attempt: positions up to it are ambiguous. */
    restartFloor: integer("restart_floor").notNull().default(0),
    /** Fencing token: every write of a runner carries the attempt it claimed. */
    attempt: integer("attempt").notNull().default(0),
    /**
     * Attempts that ended by handing over (shutdown, a run's time budget): not failures, so they
     * do not count towards MAX_ATTEMPTS (docs/design.md §5.6).
     */
    handovers: integer("handovers").notNull().default(0),
    /** Characters of the current attempt's output carried over from the attempt before it (§5.3). */
    carriedChars: integer("carried_chars").notNull().default(0),
    /** How the current attempt picked up an earlier one's text: null (first attempt), prefill, instruction or restart. */
    resumedBy: text("resumed_by").$type<ResumeMode>(),
    /** Usage of the attempts before the current one (input as estimated or reported, output estimated from their new text). */
    spentInputTokens: integer("spent_input_tokens").notNull().default(0),
    spentOutputTokens: integer("spent_output_tokens").notNull().default(0),
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

/**
 * The part events of a running generation (lib/parts.ts): reasoning, tool calls, sources and
 * where each stretch of text starts, appended with the text's chunks in the same fenced write
 * and carried into the next attempt like them. When the answer ends they are folded into
 * chat_message.parts and deleted.
 */
export const llmOutputParts = pgTable(
  "llm_output_part",
  {
    requestUuid: uuid("request_uuid")
      .notNull()
      .references(() => llmRequests.uuid, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    /** 1, 2, ... within the answer (carried attempts keep their numbers). */
    seq: integer("seq").notNull(),
    event: jsonb("event").$type<PartEvent>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.requestUuid, t.attempt, t.seq] })],
);

/**
 * A member's answer to a tool call that needs approval. The runner waiting for it reads it
 * (any server: the runner may have been replaced while the question was open).
 */
export const toolApprovals = pgTable(
  "tool_approval",
  {
    requestUuid: uuid("request_uuid")
      .notNull()
      .references(() => llmRequests.uuid, { onDelete: "cascade" }),
    callId: text("call_id").notNull(),
    approve: boolean("approve").notNull(),
    userId: text("user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.requestUuid, t.callId] })],
);

/**
 * Which tools ran, for the admin (no input, no output: those are message text). Kept when the
 * chat is deleted, like usage.
 */
export const toolRuns = pgTable(
  "tool_run",
  {
    id: uuid("id").primaryKey(),
    requestUuid: uuid("request_uuid"),
    userId: text("user_id").references(() => users.id, { onDelete: "set null" }),
    tool: text("tool").notNull(),
    source: text("source").notNull(),
    /** done, error or denied. */
    status: text("status").notNull(),
    ms: integer("ms").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("tool_run_created_idx").on(t.createdAt)],
);

// ---------------------------------------------------------------- files (docs/design.md §3.13)

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => "bytea" });

/**
 * The bytes of uploaded files, content-addressed: one row per distinct SHA-256, however many
 * attachments name it. `data` holds them in PostgreSQL (the default); null when they are in the
 * S3-compatible bucket (`storage` = 's3', object key = the hash).
 */
export const fileBlobs = pgTable("file_blob", {
  sha256: text("sha256").primaryKey(),
  size: bigint("size", { mode: "number" }).notNull(),
  storage: text("storage").$type<"pg" | "s3">().notNull(),
  data: bytea("data"),
  createdAt: createdAt(),
});
export type FileBlob = typeof fileBlobs.$inferSelect;

/**
 * A file attached to a chat: uploaded first (message_uuid null), then bound to the user message
 * sent with it. Each message's attachment is its own row (an edited version copies the rows);
 * the bytes are shared through `sha256`. Deleted with its chat; a blob no row names is removed.
 * An upload made on the new-chat screen has no chat yet (chat_uuid null, its uploader's alone)
 * until the first send binds it to the chat it creates: a bound row always has its chat.
 */
export const attachments = pgTable(
  "attachment",
  {
    uuid: uuid("uuid").primaryKey(),
    chatUuid: uuid("chat_uuid").references(() => chats.uuid, { onDelete: "cascade" }),
    messageUuid: uuid("message_uuid").references(() => chatMessages.uuid, { onDelete: "cascade" }),
    /** Who uploaded it: their storage quota counts it. */
    userId: text("user_id").references(() => users.id, { onDelete: "set null" }),
    name: text("name").notNull(),
    /** As sniffed from the content (never as the uploader claimed). */
    mediaType: text("media_type").notNull(),
    size: bigint("size", { mode: "number" }).notNull(),
    sha256: text("sha256")
      .notNull()
      .references(() => fileBlobs.sha256),
    createdAt: createdAt(),
  },
  (t) => [
    index("attachment_chat_idx").on(t.chatUuid),
    index("attachment_message_idx").on(t.messageUuid),
    index("attachment_user_idx").on(t.userId),
    index("attachment_sha256_idx").on(t.sha256),
  ],
);
export type Attachment = typeof attachments.$inferSelect;

// ---------------------------------------------------------------- API tokens

/**
 * Personal API tokens: `Authorization: Bearer <token>` instead of the session cookie. The token
 * is shown once; only its SHA-256 is stored, with a short prefix so a user can tell tokens apart.
 */
export const apiTokens = pgTable(
  "api_token",
  {
    uuid: uuid("uuid").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    prefix: text("prefix").notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, mode: "date" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("api_token_user_idx").on(t.userId, t.createdAt)],
);
export type ApiToken = typeof apiTokens.$inferSelect;

// ---------------------------------------------------------------- rate limits of sign-in

export const AUTH_ATTEMPT_SCOPES = ["signin_account", "signin_ip", "signin_account_ip", "register_ip", "chat_create", "import", "mail"] as const;
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
