/**
 * Public read-only links to chats (/share/{shareUuid}). The owner turns a link on (a fresh
 * random UUIDv4, unrelated to the chat's uuid) and off (the uuid is dropped: the old link is
 * dead for good, sharing again makes a new one). Anyone with the link polls the chat read-only
 * with the same reads, logic and shapes as the members' polls (polls.ts), minus everything that
 * names the chat or a person: no chat uuid, no role, no member, no author.
 */
import "server-only";
import type { Part, PartEvent, PartsCursor } from "../parts";
import { randomUUID } from "node:crypto";
import { AppError, notFound } from "../errors";
import { shareChatAsOwner, shareOfChatAsOwner, unshareChatAsOwner } from "@/db/queries/share";
import type { MemberWrite } from "@/db/queries/chats";
import { toMessageDto } from "./dto";
import { pollChat, pollTokens } from "./polls";
import type { Chat } from "@/db/schema";
import type { MessageDto, ShareStateDto, SharedChatDto, SharedMessageDto, TokensDto } from "@/lib/contract";

const NOT_SHARED = () => notFound("This chat is not shared, or its owner made it private again.");
const OWNER_ONLY = () => new AppError("forbidden", "Only the chat's owner can share it or make it private.");

function owned<T>(result: MemberWrite<T>): T {
  if (result.kind === "not_found") throw notFound("Chat not found.");
  if (result.kind === "forbidden") throw OWNER_ONLY();
  return result.value;
}

export const sharePath = (shareUuid: string) => `/share/${shareUuid}`;

function state(shareUuid: string | null): ShareStateDto {
  return { shared: shareUuid !== null, shareUuid, path: shareUuid ? sharePath(shareUuid) : null };
}

// ------------------------------------------------------------------ the owner

export async function getShareState(input: { userId: string; chatUuid: string }): Promise<ShareStateDto> {
  return state(owned(await shareOfChatAsOwner(input)));
}

/** Makes the chat public; a chat already public keeps its link (`created: false`). */
export async function shareChat(input: { userId: string; chatUuid: string }): Promise<{ share: ShareStateDto; created: boolean }> {
  // v4: random, so the link says nothing about the chat's uuid (a v7) nor when it was made.
  const result = owned(await shareChatAsOwner({ ...input, shareUuid: randomUUID() }));
  return { share: state(result.shareUuid), created: result.created };
}

export async function unshareChat(input: { userId: string; chatUuid: string }): Promise<ShareStateDto> {
  owned(await unshareChatAsOwner(input));
  return state(null);
}

// ------------------------------------------------------------------ anyone with the link

function toSharedChat(c: Chat, shareUuid: string): SharedChatDto {
  return { shareUuid, title: c.title, status: c.status, agent: c.agent, createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString() };
}

/** Field by field, so that nothing added to the members' shape later leaks through a link. */
function toSharedMessage(m: MessageDto): SharedMessageDto {
  return {
    uuid: m.uuid,
    role: m.role,
    content: m.content,
    status: m.status,
    position: m.position,
    createdAt: m.createdAt,
    ...(m.error ? { error: m.error } : {}),
    ...(m.parts ? { parts: m.parts.map(sharedPart), partsCursor: m.partsCursor ?? "0" } : {}),
    // Their urls go through the link (toMessageDto was given the share reader).
    ...(m.attachments?.length ? { attachments: m.attachments } : {}),
    ...(m.notes?.length ? { notes: m.notes } : {}),
  };
}

/** A part as a share link shows it: who allowed a tool call by name only (a link names no account). */
function sharedPart(p: Part): Part {
  if (p.type !== "tool" || !p.decidedBy) return p;
  return { ...p, decidedBy: { id: "", name: p.decidedBy.name } };
}

function sharedEvent(e: PartEvent): PartEvent {
  if (e.op === "add") return { ...e, part: sharedPart(e.part) };
  if (e.op === "set" && "decidedBy" in e.fields && e.fields.decidedBy) {
    const by = (e.fields).decidedBy;
    return { ...e, fields: { ...e.fields, decidedBy: { id: "", name: by.name } } };
  }
  return e;
}

/** The shared chat's messages after `lastUuid` (all when absent), as GET /chat/{uuid}/messages answers. */
export async function getSharedMessages(input: { shareUuid: string; lastUuid?: string }): Promise<{ messages: SharedMessageDto[]; chat: SharedChatDto }> {
  // The polls are the supervisor, a viewer's too: an answer whose runner died resumes.
  const found = await pollChat({ kind: "share", shareUuid: input.shareUuid }, { chat: input.shareUuid, lastUuid: input.lastUuid });
  if (!found) throw NOT_SHARED();
  return { messages: found.messages.map((m) => toSharedMessage(toMessageDto(m, { kind: "share", shareUuid: input.shareUuid }))), chat: toSharedChat(found.chat, input.shareUuid) };
}

/** A message of the shared chat from `position` on, as GET /chat/message/{uuid}/tokens/{position} answers. */
export async function getSharedTokens(input: { shareUuid: string; messageUuid: string; position: number; parts?: PartsCursor }): Promise<TokensDto> {
  const t = await pollTokens({ kind: "share", shareUuid: input.shareUuid }, input, async () => NOT_SHARED());
  return t.parts ? { ...t, parts: { ...t.parts, events: t.parts.events.map(sharedEvent) } } : t;
}
