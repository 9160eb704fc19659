/** The contract's shapes (DESIGN.md section 3): what clients see of chats and messages. */
import type { Chat, ChatMessage, MemberRole } from "@/db/schema";
import { codePointLength } from "../text";

export interface ChatDto {
  uuid: string;
  title: string;
  status: Chat["status"];
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
  role: ChatMessage["role"];
  content: string;
  status: ChatMessage["status"];
  /** Length of `content` in code points: poll tokens from here. */
  position: number;
  createdAt: string;
  error?: string;
  /** Who sent a user message (in shared chats this is shown, and told to the model). */
  author?: { id: string; name: string };
}

export function toChatDto(c: Chat, role: MemberRole, members: { count: number; lastReadAt?: Date | null } = { count: 1 }): ChatDto {
  return {
    uuid: c.uuid,
    title: c.title,
    status: c.status,
    agent: c.agent,
    model: c.params.model ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    role,
    shared: members.count > 1,
    ...(members.lastReadAt !== undefined ? { unread: isUnread(c.lastMessageAt, members.lastReadAt) } : {}),
  };
}

export function isUnread(lastMessageAt: Date, lastReadAt: Date | null): boolean {
  return lastReadAt === null || lastMessageAt.getTime() > lastReadAt.getTime();
}

export function toMessageDto(
  m: Pick<ChatMessage, "uuid" | "chatUuid" | "role" | "content" | "status" | "createdAt" | "error"> & { authorId?: string | null; authorName?: string | null },
): MessageDto {
  return {
    uuid: m.uuid,
    chatUuid: m.chatUuid,
    role: m.role,
    content: m.content,
    status: m.status,
    position: codePointLength(m.content),
    createdAt: m.createdAt.toISOString(),
    ...(m.error ? { error: m.error } : {}),
    ...(m.role === "user" && m.authorId ? { author: { id: m.authorId, name: m.authorName ?? "Someone" } } : {}),
  };
}

export interface TokensDto {
  tokens: string;
  status: ChatMessage["status"];
  append: boolean;
  position: number;
  error?: string;
}
