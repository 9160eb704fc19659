/**
 * The chat protocol (DESIGN.md sections 3 and 4): create, list, send, poll messages and
 * tokens, cancel. Every read is scoped to the signed-in user in the query itself; polls also
 * act as the supervisor, restarting a generation whose runner died.
 */
import "server-only";
import { AppError, notFound } from "../errors";
import { env } from "../env";
import { isUuid, uuidv7 } from "../ids";
import { codePointLength, sliceFromCodePoint, storableText } from "../text";
import { AGENTS, DEFAULT_AGENT, findAgent } from "../models/agents";
import { defaultModelId, findModel, listModels } from "../models/registry";
import { dispatchGeneration } from "../generation/dispatch";
import { localRuns } from "../generation/local-runs";
import { GenerationStop } from "../generation/errors";
import {
  deleteChatAsOwner,
  findChatWithActiveRequest,
  findChatWithMessagesAfter,
  insertChatIdempotent,
  listChatsForUser,
  updateChatAsMember,
  type MemberWrite,
  type MessageRow,
} from "@/db/queries/chats";
import { findAccount } from "@/db/queries/users";
import { canWrite } from "@/db/queries/access";
import { accountDisabled } from "../auth/identity";
import { findMessageForUser, findMessageWithOutput, chatMessagesOf, outputFrom, pendingContents, type MessageWithRequest, type OutputSlice } from "@/db/queries/messages";
import { cancelRequest, insertUserMessageAndRequest, replaceUserMessage, requeueLastUserMessage } from "@/db/queries/generation";
import { lockUserQuota, quotaSubject, userLoad } from "@/db/queries/usage";
import type { Tx } from "@/db/queries/access";
import { quotaRefusal, quotasFor } from "../quotas";
import type { ChatStatus, MemberRole } from "@/db/schema";
import { isUnread, toChatDto, toMessageDto } from "./dto";
import { notePresence } from "./presence";
import type { ChatDto, ChatPresenceDto, MessageDto, TokensDto } from "@/lib/contract";

const GENERATION_IN_PROGRESS = () =>
  new AppError("generation_in_progress", "An answer is still being generated in this chat. Wait for it or stop it first.");

const READ_ONLY = () => new AppError("forbidden", "You can read this chat but not write in it. Ask its owner to make you an editor.");

/**
 * Nothing found for a user: the chat or message is not theirs (404), unless their account is
 * what is missing. The polls check the account in their own query (no extra round trip on
 * the hot path), so only this miss asks why.
 */
async function missing(userId: string, what: string): Promise<AppError> {
  const account = await findAccount(userId);
  if (!account) return new AppError("unauthorized", "Sign in to continue.");
  if (account.disabled) return accountDisabled();
  return notFound(what);
}

function written<T>(result: MemberWrite<T>, what: string, forbidden: (role: MemberRole) => AppError): T {
  if (result.kind === "not_found") throw notFound(what);
  if (result.kind === "forbidden") throw forbidden(result.role);
  return result.value;
}

// ------------------------------------------------------------------ chats

export async function createChat(input: {
  userId: string;
  uuid?: string;
  agent?: string;
  title?: string;
  model?: string;
}): Promise<{ chat: ChatDto; created: boolean }> {
  const agent = findAgent(input.agent ?? DEFAULT_AGENT);
  if (!agent) {
    throw new AppError("validation_error", `Unknown agent "${input.agent}". Choose one of: ${AGENTS.map((a) => a.id).join(", ")}.`);
  }
  const model = resolveModel(input.model ?? (agent.model && findModel(agent.model) ? agent.model : undefined));
  const { chat, created } = await insertChatIdempotent({
    uuid: input.uuid ?? uuidv7(),
    userId: input.userId,
    title: storableText(input.title ?? ""),
    agent: agent.id,
    params: { model, systemPrompt: agent.systemPrompt },
    greeting: agent.greeting ? { uuid: uuidv7(), content: agent.greeting } : undefined,
  });
  if (!chat) throw new AppError("conflict", "This chat uuid is already taken. Use another uuid.");
  return { chat: toChatDto(chat, "owner"), created };
}

function resolveModel(model: string | undefined): string {
  if (model === undefined) return defaultModelId();
  if (!findModel(model)) {
    throw new AppError("validation_error", `Unknown model "${model}". Choose one of: ${listModels().map((m) => m.id).join(", ")}.`);
  }
  return model;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export async function listChats(input: { userId: string; limit: number; cursor?: string; status?: ChatStatus; query?: string }) {
  let before: { updatedAt: Date; uuid: string } | undefined;
  if (input.cursor) {
    const [ts, uuid] = Buffer.from(input.cursor, "base64url").toString("utf8").split("|");
    // Only what nextCursor makes: an ISO time and a uuid (anything else would reach the database as garbage).
    const updatedAt = new Date(ts && ISO_TIME.test(ts) ? ts : "");
    if (!uuid || !isUuid(uuid) || Number.isNaN(updatedAt.getTime())) throw new AppError("validation_error", "Invalid cursor.");
    before = { updatedAt, uuid };
  }
  const query = input.query === undefined ? undefined : storableText(input.query);
  const rows = await listChatsForUser({ userId: input.userId, limit: input.limit + 1, before, status: input.status, query });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > input.limit && last ? Buffer.from(`${last.chat.updatedAt.toISOString()}|${last.chat.uuid}`).toString("base64url") : null;
  return { chats: page.map((r) => toChatDto(r.chat, r.role, { count: r.memberCount, lastReadAt: r.lastReadAt })), nextCursor };
}

/** Rename or switch model: owner and editors. Archive (status) changes the chat for everyone: its owner. */
export async function updateChat(input: { userId: string; chatUuid: string; title?: string; status?: ChatStatus; model?: string }) {
  if (input.model !== undefined) resolveModel(input.model);
  const allowed: MemberRole[] = input.status === undefined ? ["owner", "editor"] : ["owner"];
  const result = await updateChatAsMember({ ...input, allowed, title: input.title === undefined ? undefined : storableText(input.title) });
  const chat = written(result, "Chat not found.", (role) =>
    role === "viewer" ? READ_ONLY() : new AppError("forbidden", "Only the chat's owner can archive or restore it."),
  );
  return toChatDto(chat, result.kind === "ok" ? result.role : "owner");
}

export async function deleteChat(input: { userId: string; chatUuid: string }): Promise<void> {
  written(await deleteChatAsOwner(input), "Chat not found.", () => new AppError("forbidden", "Only the chat's owner can delete it. Leave the chat instead."));
}

// ------------------------------------------------------------------ messages

export type MessagesDto = { messages: MessageDto[]; chat: ChatDto } & ChatPresenceDto;

/**
 * The chat's messages (after `lastUuid`, else all), with who else is here and who asked for
 * the answer in progress. A read by a member is also their presence (`typing`: their draft is
 * not empty) and marks the chat read; see lib/chat/presence.ts for when that is written.
 */
export async function getMessages(input: { userId: string; chatUuid: string; lastUuid?: string; typing?: boolean }): Promise<MessagesDto> {
  const e = env();
  const { lastUuid } = input;
  // The poll (after a last uuid) is one round trip; the whole list, two.
  const poll = lastUuid
    ? await findChatWithMessagesAfter({ chatUuid: input.chatUuid, userId: input.userId, lastUuid, queuedGraceMs: e.QUEUED_GRACE_MS })
    : undefined;
  const found = lastUuid ? poll : await findChatWithActiveRequest({ chatUuid: input.chatUuid, userId: input.userId, queuedGraceMs: e.QUEUED_GRACE_MS });
  if (!found) throw await missing(input.userId, "Chat not found.");
  if (found.active?.stale) dispatchGeneration(found.active.uuid);
  const rows = poll ? poll.messages : await chatMessagesOf({ chatUuid: input.chatUuid });
  const messages = await messagesOf(rows);
  notePresence({
    chatUuid: input.chatUuid,
    userId: input.userId,
    typing: input.typing ?? false,
    memberCount: found.memberCount,
    unread: isUnread(found.chat.lastMessageAt, found.lastReadAt),
  });
  const { active } = found;
  return {
    messages,
    chat: toChatDto(found.chat, found.role, { count: found.memberCount }),
    presence: found.present,
    generation: active ? { status: active.status, requestedBy: active.requestedBy } : null,
  };
}

/**
 * The messages a poll answers, once its chat was found (by a member, or by a share link):
 * `undefined` rows mean the last uuid is not in the chat. A pending answer's text so far lives
 * with its generation, not in the message row.
 */
export async function messagesOf(rows: MessageRow[] | undefined): Promise<MessageDto[]> {
  if (!rows) {
    throw new AppError("unknown_last_message", "That message is not in this chat. Reload the whole list.");
  }
  const pending = rows.filter((m) => m.role === "assistant" && m.status === "pending" && m.llmRequestUuid);
  const contents = await pendingContents(pending.map((m) => ({ requestUuid: m.llmRequestUuid! })));
  return rows.map((m) =>
    toMessageDto(m.role === "assistant" && m.status === "pending" && m.llmRequestUuid ? { ...m, content: contents.get(m.llmRequestUuid) ?? "" } : m),
  );
}

/** Message text as stored: well-formed, 1 to MAX_MESSAGE_CHARS code points (413 above). */
function validContent(raw: string): string {
  const max = env().MAX_MESSAGE_CHARS;
  const content = storableText(raw);
  const length = codePointLength(content);
  if (content.trim().length === 0) throw new AppError("validation_error", "The message is empty.");
  if (length > max) throw new AppError("payload_too_large", `The message is ${length} characters long; the limit is ${max}.`);
  return content;
}

/**
 * Per-user quotas (lib/quotas.ts), checked in the transaction that queues a generation, under a
 * per-user lock so that two sends at once cannot both slip under a limit.
 */
async function checkUserLimits(tx: Tx, userId: string): Promise<void> {
  await lockUserQuota(tx, userId);
  const subject = await quotaSubject(tx, userId);
  if (!subject) throw new AppError("unauthorized", "Sign in to continue.");
  const refusal = quotaRefusal(await userLoad(tx, userId), quotasFor(subject).limits, subject.guest);
  if (refusal) throw refusal;
}

/** The model a new generation in this chat uses: the one asked for, else the chat's, else the default. */
async function modelFor(input: { userId: string; chatUuid: string; model?: string }): Promise<string> {
  if (input.model !== undefined) return resolveModel(input.model);
  const found = await findChatWithActiveRequest({ chatUuid: input.chatUuid, userId: input.userId, queuedGraceMs: env().QUEUED_GRACE_MS });
  if (!found) throw notFound("Chat not found.");
  const current = found.chat.params.model;
  return current && findModel(current) ? current : defaultModelId();
}

type Queued = Awaited<ReturnType<typeof requeueLastUserMessage>>;

/** Turns the outcome of queueing a generation into the answer, starting the runner when one was queued. */
function queued(result: Queued): { message: MessageDto; created: boolean } {
  switch (result.kind) {
    case "chat_not_found":
      throw notFound("Chat not found.");
    case "forbidden":
      throw READ_ONLY();
    case "not_author":
      throw new AppError("forbidden", "You can edit only your own messages.");
    case "message_not_found":
      throw notFound("Message not found in this chat.");
    case "nothing_to_answer":
      throw new AppError("validation_error", "There is no message to answer in this chat yet.");
    case "in_progress":
      throw GENERATION_IN_PROGRESS();
    case "replayed":
      return { message: toMessageDto(result.message), created: false };
    case "created":
      dispatchGeneration(result.requestUuid);
      return { message: toMessageDto(result.message), created: true };
  }
}

export async function sendMessage(input: {
  userId: string;
  chatUuid: string;
  uuid?: string;
  content: string;
  model?: string;
}): Promise<{ message: MessageDto; created: boolean }> {
  const content = validContent(input.content);
  const model = await modelFor(input);
  const result = await insertUserMessageAndRequest({
    userId: input.userId,
    chatUuid: input.chatUuid,
    messageUuid: input.uuid ?? uuidv7(),
    requestUuid: uuidv7(),
    content,
    model,
    check: (tx) => checkUserLimits(tx, input.userId),
  });
  if (result.kind === "uuid_taken") throw new AppError("conflict", "This message uuid is already used in another chat. Use another uuid.");
  return queued(result);
}

/** Answers the last user message again (the previous answer is removed). */
export async function regenerate(input: { userId: string; chatUuid: string; model?: string }) {
  const model = await modelFor(input);
  return queued(
    await requeueLastUserMessage({
      userId: input.userId,
      chatUuid: input.chatUuid,
      requestUuid: uuidv7(),
      model,
      check: (tx) => checkUserLimits(tx, input.userId),
    }),
  );
}

/** Replaces a user message (and what followed it) with an edited one, and answers it. */
export async function editMessage(input: { userId: string; chatUuid: string; messageUuid: string; content: string; uuid?: string; model?: string }) {
  const content = validContent(input.content);
  const model = await modelFor(input);
  return queued(
    await replaceUserMessage({
      userId: input.userId,
      chatUuid: input.chatUuid,
      messageUuid: input.messageUuid,
      newMessageUuid: input.uuid ?? uuidv7(),
      content,
      requestUuid: uuidv7(),
      model,
      check: (tx) => checkUserLimits(tx, input.userId),
    }),
  );
}

/**
 * The text of a message from `position` on (DESIGN.md, the tokens endpoint). `append:false`
 * (the whole text, to replace what the client shows) when the position cannot be continued:
 * past the end, or inside what an interrupted attempt had written (the restarted text differs).
 */
export async function getTokens(input: { userId: string; messageUuid: string; position: number }): Promise<TokensDto> {
  const e = env();
  // One round trip: the message, its generation and the output from `position`, in one snapshot.
  const read = () =>
    findMessageWithOutput({ messageUuid: input.messageUuid, userId: input.userId, queuedGraceMs: e.QUEUED_GRACE_MS, position: input.position });
  return tokensOf(read, input.position, () => missing(input.userId, "Message not found."));
}

/**
 * The tokens answer from what `read` finds of a message (for a member, or by a share link);
 * `miss` explains why nothing was found.
 */
export async function tokensOf(
  read: () => Promise<(MessageWithRequest & { output: OutputSlice }) | undefined>,
  position: number,
  miss: () => Promise<AppError>,
): Promise<TokensDto> {
  let found = await read();
  if (!found) throw await miss();
  if (found.request?.stale) dispatchGeneration(found.request.uuid);
  let known = await knownText(found, position, found.output);
  if (known.streaming && known.text === "" && position > 0) {
    // Nothing at this position yet (a restarted attempt): read once more, as before.
    found = (await read()) ?? found;
    known = await knownText(found, position, found.output);
  }
  const { message, request } = found;
  const end = known.from + codePointLength(known.text);
  const ambiguous = message.role === "assistant" && request !== null && position > 0 && position <= request.restartFloor;
  const error = message.error ? { error: message.error } : {};
  if (ambiguous && known.streaming && end <= request.restartFloor) {
    // The restarted attempt has not yet passed what the dead one had written: this client may
    // hold either text. "Nothing new" until it has, then one replacement beyond the ambiguity.
    return { tokens: "", status: message.status, append: true, position };
  }
  if (position > end || ambiguous) {
    const whole = known.from === 0 ? known.text : (await knownText(found, 0)).text;
    return { tokens: whole, status: message.status, append: false, position: codePointLength(whole), ...error };
  }
  return { tokens: sliceFromCodePoint(known.text, position - known.from), status: message.status, append: true, position: end, ...error };
}

/** What is known of a message's text from around `position`: a pending answer's chunks, else its content. */
async function knownText(found: MessageWithRequest, position: number, prefetched?: OutputSlice): Promise<{ text: string; from: number; streaming: boolean }> {
  const { message, request } = found;
  if (message.role === "assistant" && message.status === "pending" && request) {
    const slice = prefetched ?? (await outputFrom({ requestUuid: request.uuid, attempt: request.attempt, position }));
    return { text: slice.text, from: slice.from, streaming: true };
  }
  return { text: message.content, from: 0, streaming: false };
}

/** Stops the generation a message belongs to (its prompt or its answer); idempotent. */
export async function cancelMessage(input: { userId: string; messageUuid: string }): Promise<MessageDto> {
  const e = env();
  const found = await findMessageForUser({ messageUuid: input.messageUuid, userId: input.userId, queuedGraceMs: e.QUEUED_GRACE_MS });
  if (!found) throw notFound("Message not found.");
  if (!canWrite(found.role)) throw READ_ONLY();
  if (found.request && (found.request.status === "queued" || found.request.status === "running")) {
    await cancelRequest({ requestUuid: found.request.uuid });
    // A runner in this process stops now; one elsewhere at its next write (within a batch interval).
    localRuns.abort(found.request.uuid, new GenerationStop("cancelled", "The answer was stopped."));
    const after = await findMessageForUser({ messageUuid: input.messageUuid, userId: input.userId, queuedGraceMs: e.QUEUED_GRACE_MS });
    if (!after) throw notFound("Message not found.");
    return toMessageDto(after.message);
  }
  return toMessageDto(found.message);
}
