/**
 * What members do to generations (docs/design.md §4): send a message, regenerate the last
 * answer, edit a message (each queues a generation through one admission step:
 * db/queries/queue.ts), and stop one. The quotas are checked inside the queueing transaction.
 */
import "server-only";
import { AppError, notFound } from "../errors";
import { env } from "../env";
import { uuidv7 } from "../ids";
import { codePointLength, storableText } from "../text";
import { dispatchGeneration } from "../generation/dispatch";
import { localRuns } from "../generation/local-runs";
import { GenerationStop } from "../generation/errors";
import { canWrite, type Tx } from "@/db/queries/access";
import { cancelRequest } from "@/db/queries/attempts";
import { attachmentRowsOf, attachmentsOf, bindAttachments, copyAttachments, insertCopies } from "@/db/queries/attachments";
import type { Attachment } from "@/db/schema";
import { readMessagePoll } from "@/db/queries/polls";
import { queueEdit, queueNewMessage, queueRegeneration, type QueueResult } from "@/db/queries/queue";
import { lockUserQuota, quotaSubject, userLoad } from "@/db/queries/usage";
import type { MessageDto } from "@/lib/contract";
import { quotaRefusal, quotasFor } from "../quotas";
import { READ_ONLY } from "./chats";
import { toMessageDto } from "./dto";
import { toAttachmentDto } from "../files/dto";
import { modelForChat, resolveModel } from "./models";

const GENERATION_IN_PROGRESS = () =>
  new AppError("generation_in_progress", "An answer is still being generated in this chat. Wait for it or stop it first.");

const EMPTY = () => new AppError("validation_error", "The message is empty.");

/**
 * Message text as stored: well-formed, 1 to MAX_MESSAGE_CHARS code points (413 above); empty
 * only when the message carries files (`mayBeEmpty`: the attach step checks that it does).
 */
function validContent(raw: string, mayBeEmpty = false): string {
  const max = env().MAX_MESSAGE_CHARS;
  const content = storableText(raw);
  const length = codePointLength(content);
  if (content.trim().length === 0 && !mayBeEmpty) throw EMPTY();
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

/** The files named by a send or an edit: at most MAX_ATTACHMENTS_PER_MESSAGE, each once. */
function validAttachments(list: string[] | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  const unique = [...new Set(list)];
  const max = env().MAX_ATTACHMENTS_PER_MESSAGE;
  if (unique.length > max) throw new AppError("validation_error", `A message can carry at most ${max} files; this one has ${unique.length}.`);
  return unique;
}

/**
 * The attach step of a send or an edit (docs/design.md §3.13), in the queueing transaction: the
 * named uploads are bound to the new message (each must be the sender's, of this chat or of no
 * chat yet, not sent yet); an edit that names none keeps the edited message's files. Text may be empty only with files.
 */
function attaching(input: { userId: string; chatUuid: string; attachments?: string[]; emptyText: boolean; kept?: () => Attachment[] }) {
  return async (tx: Tx, messageUuid: string, editedUuid?: string) => {
    let count = 0;
    if (input.attachments === undefined) {
      if (editedUuid) count = (input.kept ? await insertCopies(tx, input.kept(), messageUuid) : await copyAttachments(tx, editedUuid, messageUuid)).length;
    } else {
      const bound = await bindAttachments(tx, { chatUuid: input.chatUuid, userId: input.userId, messageUuid, uuids: input.attachments });
      if (bound.kind === "unknown") {
        throw new AppError(
          "validation_error",
          `Invalid attachments: ${bound.uuids.join(", ")} ${bound.uuids.length === 1 ? "is not a file" : "are not files"} you uploaded to this chat (or before it existed) and have not sent yet.`,
        );
      }
      count = bound.rows.length;
    }
    if (input.emptyText && count === 0) throw EMPTY();
  };
}

/** The answer's user message with its files (the send and edit answers carry them like the polls). */
async function withFiles(answer: { message: MessageDto; created: boolean }): Promise<{ message: MessageDto; created: boolean }> {
  if (answer.message.role !== "user") return answer;
  const files = await attachmentsOf([answer.message.uuid]);
  return files.length ? { ...answer, message: { ...answer.message, attachments: files.map((f) => toAttachmentDto(f)) } } : answer;
}

/** What every queueing path shares: the new request's uuid, its model, the quota check. */
function queueing(input: { userId: string; chatUuid: string; model?: string; timeZone?: string }) {
  const requested = input.model === undefined ? undefined : resolveModel(input.model);
  return {
    userId: input.userId,
    chatUuid: input.chatUuid,
    ...(input.timeZone ? { context: { timeZone: input.timeZone } } : {}),
    requestUuid: uuidv7(),
    model: (chatModel: string | null) => modelForChat(requested, chatModel),
    check: (tx: Tx) => checkUserLimits(tx, input.userId),
  };
}

/** Turns the outcome of queueing a generation into the answer, starting the runner when one was queued. */
function queued(result: QueueResult): { message: MessageDto; created: boolean } {
  switch (result.kind) {
    case "chat_not_found":
      throw notFound("Chat not found.");
    case "forbidden":
      throw READ_ONLY();
    case "uuid_taken":
      throw new AppError("conflict", "This message uuid is already used in another chat. Use another uuid.");
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
  timeZone?: string;
  attachments?: string[];
}): Promise<{ message: MessageDto; created: boolean }> {
  const attachments = validAttachments(input.attachments);
  const content = validContent(input.content, Boolean(attachments?.length));
  const attach = attaching({ ...input, attachments, emptyText: content.trim().length === 0 });
  return withFiles(queued(await queueNewMessage({ ...queueing(input), messageUuid: input.uuid ?? uuidv7(), content, attach })));
}

/** Answers the last user message again (the previous answer stays, as another version: §3.12). */
export async function regenerate(input: { userId: string; chatUuid: string; model?: string; timeZone?: string }) {
  return queued(await queueRegeneration(queueing(input)));
}

/** Edits a user message: a new version of it, answered (the old one and what followed it stay, as another branch: §3.12). */
export async function editMessage(input: {
  userId: string;
  chatUuid: string;
  messageUuid: string;
  content: string;
  uuid?: string;
  model?: string;
  timeZone?: string;
  attachments?: string[];
}) {
  const attachments = validAttachments(input.attachments);
  // Without `attachments` the edit keeps the old message's files: empty text may be fine then.
  const content = validContent(input.content, attachments === undefined || attachments.length > 0);
  const base = queueing(input);
  // The edited message's files are read at the admission check, before anything of the edit is
  // written: they are copied to the new message whatever becomes of the old one.
  let kept: Attachment[] = [];
  const check = async (tx: Tx) => {
    await base.check(tx);
    if (attachments === undefined) kept = await attachmentRowsOf(tx, input.messageUuid);
  };
  const attach = attaching({ ...input, attachments, emptyText: content.trim().length === 0, kept: () => kept });
  return withFiles(queued(await queueEdit({ ...base, check, messageUuid: input.messageUuid, newMessageUuid: input.uuid ?? uuidv7(), content, attach })));
}

/** Stops the generation a message belongs to (its prompt or its answer); idempotent. */
export async function cancelMessage(input: { userId: string; messageUuid: string }): Promise<MessageDto> {
  const read = () =>
    // The message and its generation (the output past any position: none is needed here).
    readMessagePoll({ kind: "member", userId: input.userId }, { messageUuid: input.messageUuid, position: 2 ** 31 - 1, queuedGraceMs: env().QUEUED_GRACE_MS });
  const found = await read();
  if (!found) throw notFound("Message not found.");
  if (!canWrite(found.role)) throw READ_ONLY();
  if (found.request && (found.request.status === "queued" || found.request.status === "running")) {
    await cancelRequest({ requestUuid: found.request.uuid });
    // A runner in this process stops now; one elsewhere at its next write (within a batch interval).
    localRuns.abort(found.request.uuid, new GenerationStop("cancelled", "The answer was stopped."));
    const after = await read();
    if (!after) throw notFound("Message not found.");
    return toMessageDto(after.message);
  }
  return toMessageDto(found.message);
}
