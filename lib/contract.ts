/**
 * The contract's shapes and limits, in one module that the server and the browser both import
 * (docs/design.md §3 and §10): what clients see of chats, messages, members,
 * shares, usage and tokens, and the limits a client checks before the server does. Types and
 * constants only: nothing here reads the database, the environment or the DOM.
 */

import type { Part, PartsCursor, PartsDelta } from "./parts";
export type { Part, PartEvent, PartsCursor, PartsDelta, ToolPart, ReasoningPart, SourcePart, TextPart, ToolStatus } from "./parts";

// ---------------------------------------------------------------- limits

/** How often clients ask "what is new since here?" (the product's one interval). */
export const POLL_INTERVAL_MS = 300;

/** The default of MAX_MESSAGE_CHARS (lib/env.ts): a message's length limit, in code points. */
export const DEFAULT_MAX_MESSAGE_CHARS = 32_000;

// ---------------------------------------------------------------- the words (db/schema.ts stores them)

export const USER_ROLES = ["user", "admin"] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const CHAT_STATUSES = ["active", "archived"] as const;
export type ChatStatus = (typeof CHAT_STATUSES)[number];

export const MEMBER_ROLES = ["owner", "editor", "viewer"] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export const MESSAGE_ROLES = ["user", "assistant", "system"] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];
export const MESSAGE_STATUSES = ["pending", "completed", "failed", "cancelled"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const QUOTA_NAMES = ["messagesPerHour", "tokensPerDay", "concurrent", "storageBytes"] as const;
export type QuotaName = (typeof QUOTA_NAMES)[number];
export type Quotas = Record<QuotaName, number>;

/** Per-user overrides of the quotas whose defaults come from the environment (lib/quotas). */
export interface UserQuota {
  messagesPerHour?: number;
  tokensPerDay?: number;
  concurrent?: number;
  /** Bytes of files the user may keep (docs/design.md §3.13). */
  storageBytes?: number;
}

// ---------------------------------------------------------------- from lib/chat/dto.ts

export interface ChatDto {
  uuid: string;
  title: string;
  status: ChatStatus;
  agent: string;
  /** The model this chat answers with (an id from GET /api/models). */
  model: string | null;
  createdAt: string;
  updatedAt: string;
  /** The reader's role in this chat: owner, editor (may write) or viewer (may only read). */
  role: MemberRole;
  /** It has other members than its owner. */
  shared: boolean;
  /** In the chat list: something arrived since the reader last had the chat open. */
  unread?: boolean;
}

/** Who is in the chat besides the reader, and who asked for the answer in progress. */
export interface ChatPresenceDto {
  presence: { userId: string; name: string; typing: boolean }[];
  generation: { status: "queued" | "running"; requestedBy: { id: string; name: string } | null } | null;
}

export interface MessageDto {
  uuid: string;
  chatUuid: string;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  /** Length of `content` in code points: poll tokens from here. */
  position: number;
  createdAt: string;
  error?: string;
  /** Who sent a user message (in shared chats this is shown, and told to the model). */
  author?: { id: string; name: string };
  /**
   * An answer's parts beyond plain text (reasoning, tool calls, sources, where each stretch of
   * `content` starts): present when it has any (docs/design.md §3.11).
   */
  parts?: Part[];
  /** With `parts`: poll tokens with `?parts=` this cursor to get what changes in them. */
  partsCursor?: PartsCursor;
  /**
   * Branches (docs/design.md §3.12): when this message has other versions (it was edited, or
   * the answer regenerated), the uuids of all of them, oldest first, this one included. POST
   * /chat/{uuid}/branch with one of them switches the conversation to it.
   */
  versions?: string[];
  /** Files sent with a user message (docs/design.md §3.13). */
  attachments?: AttachmentDto[];
  /** An answer's notes for people: a file the model could not be given, and why. */
  notes?: string[];
}

/** A file attached to a message (or uploaded for the next one). */
export interface AttachmentDto {
  uuid: string;
  name: string;
  /** As sniffed from the content: image/png, image/jpeg, image/gif, image/webp, application/pdf or text/plain. */
  mediaType: string;
  /** Bytes. */
  size: number;
  /** Where members (and a share page's readers, while shared) read it. */
  url: string;
}

export interface TokensDto {
  tokens: string;
  status: MessageStatus;
  append: boolean;
  position: number;
  error?: string;
  /** Only when the poll asked with `?parts=<cursor>`: what changed in the parts since it (§3.11). */
  parts?: PartsDelta;
  /**
   * An answer's notes (as MessageDto's), once written: they come at the start of its generation,
   * after a messages poll may have brought the pending answer without them (§3.13).
   */
  notes?: string[];
}

// ---------------------------------------------------------------- from lib/chat/members.ts

export type InvitableRole = Exclude<MemberRole, "owner">;

export interface MemberDto {
  userId: string;
  name: string;
  email: string | null;
  role: MemberRole;
  joinedAt: string;
  present: boolean;
  typing: boolean;
}

export interface InviteDto {
  uuid: string;
  role: InvitableRole;
  createdAt: string;
  expiresAt: string;
  /** How many people joined through this link. */
  uses: number;
}

/** What steers a chat's answers, shown to every member: the agent's name and the system prompt stored with the chat. */
export interface ChatInstructionsDto {
  agent: string;
  systemPrompt: string | null;
  /** The prompt is not the agent's own (an imported chat, say). */
  custom: boolean;
}

/** An invitation by email waiting for the invitee's answer, as the chat's owner sees it. */
export interface PendingInvitationDto {
  uuid: string;
  userId: string;
  name: string;
  email: string | null;
  role: InvitableRole;
  createdAt: string;
}

/** An invitation addressed to me, waiting for my answer (the sidebar lists them). */
export interface InvitationDto {
  uuid: string;
  chat: { uuid: string; title: string };
  role: InvitableRole;
  invitedBy: { id: string; name: string };
  createdAt: string;
}

// ---------------------------------------------------------------- from lib/chat/share.ts

/** The chat as a share link shows it. */
export interface SharedChatDto {
  shareUuid: string;
  title: string;
  status: ChatStatus;
  agent: string;
  createdAt: string;
  updatedAt: string;
}

/** A message as a share link shows it: the member's shape without the chat uuid. */
export type SharedMessageDto = Omit<MessageDto, "chatUuid">;

export interface ShareStateDto {
  shared: boolean;
  shareUuid: string | null;
  /** Where the read-only page is: /share/{shareUuid}. */
  path: string | null;
}

// ---------------------------------------------------------------- from lib/admin/admin-actions.ts

/** A tool call as the admin sees it: no input, no output (those are message text). */
export interface AdminToolRunDto {
  id: string;
  tool: string;
  source: string;
  status: string;
  ms: number;
  createdAt: string;
  user: { id: string; email: string | null } | null;
}

export interface AdminUserDto {
  id: string;
  email: string | null;
  name: string | null;
  role: "user" | "admin";
  guest: boolean;
  disabled: boolean;
  disabledAt: string | null;
  createdAt: string;
  /** The admin's overrides (absent: the default applies). */
  quota: UserQuota;
  /** What applies: defaults with the overrides over them; 0 means no limit. */
  limits: Quotas;
  usage: { tokensToday: number; tokens30d: number; requests30d: number; messagesLastHour: number; active: number };
}

export interface AdminGenerationDto {
  uuid: string;
  chatUuid: string;
  user: { id: string; email: string | null; guest: boolean };
  model: string;
  status: string;
  attempt: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

// ---------------------------------------------------------------- from lib/account/usage.ts

export interface QuotaDto {
  name: QuotaName;
  label: string;
  /** 0: no limit. */
  limit: number;
  used: number;
  /** Set for this user by an admin rather than the server's default. */
  overridden: boolean;
  /** When the window restarts (ISO): midnight UTC for tokens, the oldest message's hour for messages. */
  resetsAt: string | null;
  /** Seconds until sending is possible again, while the limit is reached. */
  resetsIn: number | null;
  /** Seconds until resetsAt. */
  untilReset: number | null;
}

export interface UsageDto {
  quotas: QuotaDto[];
  days: UsageRow[];
  totals: { today: UsageTotals; period: UsageTotals & { days: number } };
}

// ---------------------------------------------------------------- from db/queries/usage.ts

export interface UsageRow {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  model: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  /** Some of these tokens were estimated (the demo model, or an answer stopped before the provider reported usage). */
  estimated: boolean;
}

// ---------------------------------------------------------------- from lib/tokens/api-tokens.ts

export interface ApiTokenDto {
  uuid: string;
  name: string;
  /** The token's first characters, e.g. "pc_x7Kq2LmZ", to tell it apart (never enough to use). */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface UsageTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  estimated: boolean;
}
