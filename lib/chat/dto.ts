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
}

export function toChatDto(c: Chat, role: MemberRole): ChatDto {
  return {
    uuid: c.uuid,
    title: c.title,
    status: c.status,
    agent: c.agent,
    model: c.params.model ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    role,
  };
}

export function toMessageDto(m: Pick<ChatMessage, "uuid" | "chatUuid" | "role" | "content" | "status" | "createdAt" | "error">): MessageDto {
  return {
    uuid: m.uuid,
    chatUuid: m.chatUuid,
    role: m.role,
    content: m.content,
    status: m.status,
    position: codePointLength(m.content),
    createdAt: m.createdAt.toISOString(),
    ...(m.error ? { error: m.error } : {}),
  };
}

export interface TokensDto {
  tokens: string;
  status: ChatMessage["status"];
  append: boolean;
  position: number;
  error?: string;
}
