/**
 * The two polls (docs/design.md §3.2, §3.3 and §8): "what is new in this chat since this message?" and
 * "what is new in this message since this position?", for a member or for anyone holding a
 * share link (the same reads with the access as a parameter: db/queries/polls.ts). Every poll
 * is also the supervisor: a generation whose runner died is dispatched again by the first poll
 * that sees it (supervisor.ts).
 */
import "server-only";
import { AppError, notFound } from "../errors";
import { env } from "../env";
import { accountDisabled } from "../auth/identity";
import { readChatPoll, readMessagePoll, type ChatPoll, type MessagePoll, type PollAccess } from "@/db/queries/polls";
import { readOutputFrom } from "@/db/queries/output";
import { findAccount } from "@/db/queries/users";
import type { ChatDto, ChatPresenceDto, MessageDto, TokensDto } from "@/lib/contract";
import { isUnread, toChatDto, toMessageDto } from "./dto";
import { notePresence } from "./presence";
import { superviseRequest } from "./supervisor";
import { knownText, planParts, planTokens, replacement, worthReadingAgain } from "./tokens";
import { parseCursor, type PartsCursor } from "../parts";
import { changeCache } from "../changes/cache";
import { codePointLength } from "../text";

/**
 * The polls' reads as last found, kept while nothing they show changed (lib/changes/cache.ts,
 * docs/design.md §8.3): a poll that finds nothing new runs no SQL. Keyed by the reader, since
 * what a reader sees (role, presence of the others, read state) is theirs.
 */
const chatPolls = changeCache<ChatPoll>("chat_poll", (p) => 512 + (p.messages ?? []).reduce((n, m) => n + 256 + 2 * m.content.length, 0));
const tokensPolls = changeCache<MessagePoll>(
  "tokens_poll",
  (p) => 512 + 2 * (p.message.content.length + p.output.text.length) + (p.events || p.message.parts ? 2 * JSON.stringify([p.events, p.message.parts]).length : 0),
);

/**
 * A kept read answers a position it holds: from its start to its end. A client past the end may
 * have read newer text elsewhere (another server, a read whose notification is on its way): the
 * database is asked, never "replace with a shorter text" from memory.
 */
function covers(found: MessagePoll, position: number): boolean {
  const known = knownText(found);
  let end = ends.get(found);
  if (end === undefined) ends.set(found, (end = known.from + codePointLength(known.text)));
  return known.from <= position && position <= end;
}
/** A kept read's end, counted once (a long answer's code points, at every poll otherwise). */
const ends = new WeakMap<MessagePoll, number>();

/**
 * Where to read a pending answer's output from: a little before the asked position when the
 * last read of this message started there, so that one read serves the readers a chunk or two
 * behind as well (several tabs polling one answer), up to READ_BEHIND code points.
 */
const READ_BEHIND = 4_096;
/**
 * The part events a kept read holds answer a cursor from their first one to their last
 * (docs/design.md §3.11). A cursor past the last may name events read elsewhere (another
 * server, a messages poll): the database is asked, never "replace with fewer" from memory.
 */
function coversParts(found: MessagePoll, partsFrom: number | undefined, cursorSeq: number): boolean {
  if (partsFrom === undefined) return found.events === undefined;
  if (found.events === undefined || found.events.from > partsFrom) return false;
  return found.message.status !== "pending" || cursorSeq <= (found.events.list.at(-1)?.seq ?? 0);
}

/** Like readFrom, for part events: from where the last read of them began, when that is a little before. */
const READ_BEHIND_EVENTS = 256;
function partsReadFrom(key: string, partsFrom: number): number {
  const from = tokensPolls.peek(key)?.events?.from;
  return from !== undefined && from < partsFrom && partsFrom - from <= READ_BEHIND_EVENTS ? from : partsFrom;
}

function readFrom(key: string, position: number): number {
  const last = tokensPolls.peek(key);
  if (!last) return position;
  const from = knownText(last).from;
  return from < position && position - from <= READ_BEHIND ? from : position;
}

function accessKey(access: PollAccess): string {
  return access.kind === "member" ? `m|${access.userId}` : `s|${access.shareUuid}`;
}

/** What a chat poll's answer shows: the chat, the reader's (or the sharing owner's) account, everyone named, the text of answers in progress. */
function chatPollKeys(access: PollAccess, found: ChatPoll): string[] {
  const keys = new Set([`c:${found.chat.uuid}`, `u:${access.kind === "member" ? access.userId : found.chat.userId}`]);
  if (found.active?.requestedBy) keys.add(`u:${found.active.requestedBy.id}`);
  for (const p of found.present) keys.add(`u:${p.userId}`);
  for (const m of found.messages ?? []) {
    if (m.authorId) keys.add(`u:${m.authorId}`);
    if (m.role === "assistant" && m.status === "pending" && m.llmRequestUuid) keys.add(`k:${m.llmRequestUuid}`);
  }
  return [...keys];
}

/** What a tokens poll's answer shows: the message and its chat, the reader's account, the generation's output. */
function tokensPollKeys(found: MessagePoll): string[] {
  const keys = [`c:${found.message.chatUuid}`, `u:${found.readerId}`];
  if (found.request) keys.push(`k:${found.request.uuid}`);
  return keys;
}

export type MessagesDto = { messages: MessageDto[]; chat: ChatDto } & ChatPresenceDto;

/**
 * Nothing found for a user: the chat or message is not theirs (404), unless their account is
 * what is missing. The polls check the account in their own query (no extra round trip on
 * the hot path), so only this miss asks why.
 */
export async function missingForMember(userId: string, what: string): Promise<AppError> {
  const account = await findAccount(userId);
  if (!account) return new AppError("unauthorized", "Sign in to continue.");
  if (account.disabled) return accountDisabled();
  return notFound(what);
}

/**
 * The chat and its messages after `lastUuid` (all when absent), for any reader; undefined: not
 * theirs. Throws `unknown_last_message` when that uuid is not in the chat.
 */
export async function pollChat(access: PollAccess, input: { chat: string; lastUuid?: string }): Promise<(ChatPoll & { messages: NonNullable<ChatPoll["messages"]> }) | undefined> {
  const key = `${accessKey(access)}|${input.chat}|${input.lastUuid ?? ""}`;
  const keep = (f: ChatPoll | undefined) => (f?.messages && !f.active?.stale ? { keys: chatPollKeys(access, f), validForMs: f.validForMs } : undefined);
  const found = chatPolls.get(key) ?? (await chatPolls.load(key, () => readChatPoll(access, { ...input, queuedGraceMs: env().QUEUED_GRACE_MS }), keep));
  if (!found) return undefined;
  superviseRequest(found.active);
  if (!found.messages) throw new AppError("unknown_last_message", "That message is not in this chat. Reload the whole list.");
  return { ...found, messages: found.messages };
}

/**
 * The chat's messages (after `lastUuid`, else all), with who else is here and who asked for
 * the answer in progress. A read by a member is also their presence (`typing`: their draft is
 * not empty) and marks the chat read; see lib/chat/presence.ts for when that is written.
 */
export async function getMessages(input: { userId: string; chatUuid: string; lastUuid?: string; typing?: boolean }): Promise<MessagesDto> {
  const found = await pollChat({ kind: "member", userId: input.userId }, { chat: input.chatUuid, lastUuid: input.lastUuid });
  if (!found) throw await missingForMember(input.userId, "Chat not found.");
  notePresence({
    chatUuid: input.chatUuid,
    userId: input.userId,
    typing: input.typing ?? false,
    memberCount: found.memberCount,
    unread: isUnread(found.chat.lastMessageAt, found.lastReadAt),
  });
  const { active } = found;
  return {
    messages: found.messages.map((m) => toMessageDto(m)),
    chat: toChatDto(found.chat, found.role, { count: found.memberCount }),
    presence: found.present,
    generation: active ? { status: active.status, requestedBy: active.requestedBy } : null,
  };
}

/**
 * A message's text from `position` on, for any reader (the rules: tokens.ts); `miss` says why
 * nothing was found.
 */
export async function pollTokens(
  access: PollAccess,
  input: { messageUuid: string; position: number; parts?: PartsCursor },
  miss: () => Promise<AppError>,
): Promise<TokensDto> {
  // Asked with parts: the part events from the client's cursor on (from the first when it has none).
  const partsFrom = input.parts === undefined ? undefined : Math.max(1, parseCursor(input.parts)?.seq ?? 0);
  // One round trip: the message, its generation, the output from `position` and its part events, in one snapshot.
  const read = (position = input.position, eventsFrom = partsFrom) =>
    readMessagePoll(access, { messageUuid: input.messageUuid, position, queuedGraceMs: env().QUEUED_GRACE_MS, ...(eventsFrom === undefined ? {} : { partsFrom: eventsFrom }) });
  const key = `${accessKey(access)}|${input.messageUuid}${partsFrom === undefined ? "" : "|p"}`;
  const cursorSeq = input.parts === undefined ? 0 : (parseCursor(input.parts)?.seq ?? 0);
  const holds = (f: MessagePoll | undefined): f is MessagePoll => f !== undefined && covers(f, input.position) && coversParts(f, partsFrom, cursorSeq);
  let found: MessagePoll | undefined = tokensPolls.get(key);
  if (!holds(found)) {
    const keep = (f: MessagePoll | undefined) => (f && !f.request?.stale ? { keys: tokensPollKeys(f), validForMs: f.validForMs } : undefined);
    found = await tokensPolls.load(
      key,
      () => read(readFrom(key, input.position), partsFrom === undefined ? undefined : partsReadFrom(key, partsFrom)),
      keep,
      // Another reader's read serves this one if it holds this position (and these events).
      holds,
    );
  }
  if (!found) throw await miss();
  superviseRequest(found.request);
  // Nothing at this position yet (a restarted attempt): read once more, as before.
  if (worthReadingAgain(found, input.position)) found = (await read()) ?? found;
  const plan = planTokens(found, input.position);
  let answer: TokensDto;
  if (plan.kind === "answer") answer = plan.answer;
  else {
    const { request } = found;
    const whole = request ? (await readOutputFrom({ requestUuid: request.uuid, attempt: request.attempt, position: 0 })).text : found.message.content;
    answer = replacement(found, whole);
  }
  if (input.parts === undefined) return answer;
  let parts = planParts(found, input.parts);
  if (parts.kind === "whole_log_needed") {
    const again = await read(input.position, 1);
    parts = again ? planParts(again, input.parts) : parts;
  }
  // (A log read from its start always answers; the fallback is for a message gone meanwhile.)
  return { ...answer, parts: parts.kind === "delta" ? parts.delta : { events: [], reset: false, cursor: input.parts } };
}

/** GET /chat/message/{uuid}/tokens/{position} for a member. */
export async function getTokens(input: { userId: string; messageUuid: string; position: number; parts?: PartsCursor }): Promise<TokensDto> {
  return pollTokens({ kind: "member", userId: input.userId }, input, () => missingForMember(input.userId, "Message not found."));
}
