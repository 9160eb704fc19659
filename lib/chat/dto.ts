/** The contract's shapes (docs/design.md §3.2): what clients see of chats and messages. */
import "server-only";
import type { Chat, ChatMessage, MemberRole } from "@/db/schema";
import { codePointLength } from "../text";
import type { ChatDto, MessageDto } from "@/lib/contract";
import type { Part } from "../parts";
import { toAttachmentDto, type AttachmentMeta, type FileReader } from "../files/dto";

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
  m: Pick<ChatMessage, "uuid" | "chatUuid" | "role" | "content" | "status" | "createdAt" | "error"> & {
    notes?: string[] | null;
    authorId?: string | null;
    authorName?: string | null;
    parts?: Part[] | null;
    partsCursor?: string | null;
    versions?: string[];
    /** Its files (docs/design.md §3.13), when it has any. */
    attachments?: AttachmentMeta[] | null;
  },
  reader: FileReader = { kind: "member" },
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
    ...(m.parts?.length ? { parts: m.parts, partsCursor: m.partsCursor ?? "0" } : {}),
    ...(m.notes?.length ? { notes: m.notes } : {}),
    ...(m.versions && m.versions.length > 1 ? { versions: m.versions } : {}),
    ...(m.attachments?.length ? { attachments: m.attachments.map((a) => toAttachmentDto(a, reader)) } : {}),
  };
}

