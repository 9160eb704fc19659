/**
 * The three ways to queue a generation (docs/design.md §4): send a new user message, answer
 * the last one again (regenerate), or replace one with an edited text (edit). Each is one
 * transaction that starts with the same admission step (an active member who may write, the
 * replayed uuid, an answer already in progress, the chat's model: one round trip), then writes
 * the prompt message and its queued llm_request together or not at all. Nothing is deleted:
 * a regenerated answer or an edited message stays as another version on a branch of its own
 * (db/queries/branches.ts, docs/design.md §3.12).
 */
import "server-only";
import { and, eq, sql, type SQL } from "drizzle-orm";
import { getDb } from "../client.ts";
import { chatMembers, chatMessages, chats, llmRequests, users, type ChatMessage, type MemberRole } from "../schema.ts";
import { activeUser, canWrite, memberOf, type Tx } from "./access.ts";
import { recomputeHidden, selectPath } from "./branches.ts";
import { inProgressSql } from "./fragments.ts";
import { isUniqueViolation } from "./util.ts";

export type QueueResult =
  | { kind: "created"; message: ChatMessage; requestUuid: string }
  | { kind: "replayed"; message: ChatMessage }
  | { kind: "chat_not_found" }
  | { kind: "forbidden" }
  | { kind: "uuid_taken" }
  | { kind: "not_author" }
  | { kind: "message_not_found" }
  | { kind: "nothing_to_answer" }
  | { kind: "in_progress" };

interface QueueInput {
  userId: string;
  chatUuid: string;
  requestUuid: string;
  /** The model of the new request, given the chat's current one. */
  model: (chatModel: string | null) => string;
  /** What the sender's browser said about them (their time zone, for the clock tool). */
  context?: { timeZone?: string };
  /** Called in the transaction once the member is admitted, before writing: throws to refuse (quotas). */
  check?: (tx: Tx) => Promise<void>;
  /** Called once the user message is written: binds its files, or an edit's copies (db/queries/attachments.ts); throws to refuse. */
  attach?: (tx: Tx, messageUuid: string, editedUuid?: string) => Promise<void>;
}

interface Admitted {
  role: MemberRole;
  chatModel: string | null;
}

/**
 * Who may queue here, in one round trip: an active member with a writing role, in a chat with
 * no answer in progress. A `replayUuid` that exists already answers as a replay (in this chat)
 * or `uuid_taken` (elsewhere), before "in progress": a replayed send answers while it generates.
 */
async function admit(tx: Tx, input: { chatUuid: string; userId: string; replayUuid?: string }): Promise<Admitted | Exclude<QueueResult, { kind: "created" }>> {
  const replayUuid = input.replayUuid;
  const [state] = await tx
    .select({
      role: chatMembers.role,
      // Read under the chat row's lock, which the transaction takes anyway (it touches the chat):
      // taken here, first, a branch switch of this chat (branches.ts) waits for it or it for the
      // switch, so a new message never follows a branch that is being left.
      chatModel: sql<string | null>`(select ${chats.params}->>'model' from ${chats} where ${chats.uuid} = ${input.chatUuid} for no key update)`,
      replayed: replayUuid ? sql<boolean>`exists (select 1 from ${chatMessages} where ${chatMessages.uuid} = ${replayUuid})` : sql<boolean>`false`,
      busy: sql<boolean>`exists (select 1 from ${llmRequests} r where r.chat_uuid = ${input.chatUuid} and ${sql.raw(inProgressSql("r"))})`,
    })
    .from(chatMembers)
    .innerJoin(users, activeUser())
    .where(memberOf(input.chatUuid, input.userId))
    .limit(1);
  if (!state) return { kind: "chat_not_found" };
  if (!canWrite(state.role)) return { kind: "forbidden" };
  if (state.replayed && replayUuid) {
    const replay = await replayOf(tx, replayUuid, input.chatUuid);
    if (replay) return replay;
  }
  if (state.busy) return { kind: "in_progress" };
  return { role: state.role, chatModel: state.chatModel };
}

type Replay = Extract<QueueResult, { kind: "replayed" | "uuid_taken" }>;

async function replayOf(db: Pick<Tx, "select">, uuid: string, chatUuid: string): Promise<Replay | undefined> {
  const [existing] = await db.select().from(chatMessages).where(eq(chatMessages.uuid, uuid)).limit(1);
  if (!existing) return undefined;
  return existing.chatUuid === chatUuid ? { kind: "replayed", message: existing } : { kind: "uuid_taken" };
}

/** One queueing transaction: admission, then `write`; a lost race answers like its winner would. */
async function queue(input: QueueInput & { replayUuid?: string }, write: (tx: Tx, admitted: Admitted) => Promise<QueueResult>): Promise<QueueResult> {
  const db = await getDb();
  try {
    return await db.transaction(async (tx) => {
      const admitted = await admit(tx, input);
      return "kind" in admitted ? admitted : write(tx, admitted);
    });
  } catch (err) {
    // Another send in this chat won, or the same message uuid was replayed concurrently.
    if (isUniqueViolation(err, "llm_request_one_active_per_chat")) return { kind: "in_progress" };
    if (input.replayUuid && isUniqueViolation(err, "chat_message_pkey")) {
      return (await replayOf(db, input.replayUuid, input.chatUuid)) ?? { kind: "in_progress" };
    }
    throw err;
  }
}

/**
 * The user message (pending) and its llm_request (queued), born together or not at all. It
 * follows the last message of the active branch.
 */
export async function queueNewMessage(input: QueueInput & { messageUuid: string; content: string }): Promise<QueueResult> {
  return queue({ ...input, replayUuid: input.messageUuid }, async (tx, admitted) => {
    await input.check?.(tx);
    const parentUuid = sql<string | null>`(select ${chatMessages.uuid} from ${chatMessages} where ${chatMessages.chatUuid} = ${input.chatUuid} and not ${chatMessages.hidden}
      order by ${chatMessages.createdAt} desc, ${chatMessages.uuid} desc limit 1)`;
    const message = await insertPromptAndRequest(tx, { ...input, parentUuid, model: input.model(admitted.chatModel) });
    await input.attach?.(tx, message.uuid);
    return { kind: "created", message, requestUuid: input.requestUuid };
  });
}

/**
 * Answers the last user message of the active branch again: its answers are unselected (they
 * stay, as versions; clients polling by their uuid reload the list) and a new request is
 * queued for it. The claim adds the new answer as the selected version (attempts.ts).
 */
export async function queueRegeneration(input: QueueInput): Promise<QueueResult> {
  return queue(input, async (tx, admitted) => {
    const [last] = await tx
      .select()
      .from(chatMessages)
      .where(and(eq(chatMessages.chatUuid, input.chatUuid), eq(chatMessages.role, "user"), eq(chatMessages.hidden, false)))
      .orderBy(sql`${chatMessages.createdAt} desc, ${chatMessages.uuid} desc`)
      .limit(1);
    if (!last) return { kind: "nothing_to_answer" };
    await input.check?.(tx);
    await tx
      .update(chatMessages)
      .set({ selected: false })
      .where(and(eq(chatMessages.chatUuid, input.chatUuid), eq(chatMessages.parentUuid, last.uuid), eq(chatMessages.selected, true)));
    await recomputeHidden(tx, input.chatUuid);
    await insertQueuedRequest(tx, { ...input, model: input.model(admitted.chatModel), promptMessageUuid: last.uuid });
    const [message] = await tx
      .update(chatMessages)
      .set({ status: "pending", llmRequestUuid: input.requestUuid, error: null })
      .where(eq(chatMessages.uuid, last.uuid))
      .returning();
    return { kind: "created", message: message!, requestUuid: input.requestUuid };
  });
}

/**
 * Edits a user message: the new text is a new version of it (the same parent), selected, and
 * answered; the old one and everything after it stay, as another branch. The new version keeps
 * the old one's attachments. Replaying the same new uuid answers the stored one.
 */
export async function queueEdit(input: QueueInput & { messageUuid: string; newMessageUuid: string; content: string }): Promise<QueueResult> {
  const result = await queue({ ...input, replayUuid: input.newMessageUuid }, async (tx, admitted) => {
    const [target] = await tx
      .select()
      .from(chatMessages)
      .where(and(eq(chatMessages.uuid, input.messageUuid), eq(chatMessages.chatUuid, input.chatUuid), eq(chatMessages.role, "user")))
      .limit(1);
    if (!target) return { kind: "message_not_found" };
    // In a shared chat, people edit their own words only (a message without an author: its owner's).
    if (target.authorId ? target.authorId !== input.userId : admitted.role !== "owner") return { kind: "not_author" };
    await input.check?.(tx);
    const message = await insertPromptAndRequest(tx, { ...input, messageUuid: input.newMessageUuid, parentUuid: target.parentUuid, model: input.model(admitted.chatModel) });
    // The new version is selected, its versions not, and so is every message above it: an edit
    // of a message off the active branch makes its branch the active one (the answer must show).
    await selectPath(tx, input.chatUuid, message.uuid);
    await recomputeHidden(tx, input.chatUuid);
    // Its files (docs/design.md §3.13): those the edit names, else the target's, copied.
    await input.attach?.(tx, message.uuid, target.uuid);
    return { kind: "created", message, requestUuid: input.requestUuid };
  });
  // A new uuid that names a message of another chat is, for an edit, a message not found here.
  return result.kind === "uuid_taken" ? { kind: "message_not_found" } : result;
}

async function insertQueuedRequest(
  tx: Tx,
  input: { requestUuid: string; chatUuid: string; userId: string; promptMessageUuid: string; model: string; context?: { timeZone?: string } },
) {
  await tx.insert(llmRequests).values({
    uuid: input.requestUuid,
    context: input.context?.timeZone ? input.context : null,
    chatUuid: input.chatUuid,
    userId: input.userId,
    promptMessageUuid: input.promptMessageUuid,
    model: input.model,
    status: "queued",
  });
  await tx
    .update(chats)
    .set({
      updatedAt: sql`clock_timestamp()`,
      lastMessageAt: sql`clock_timestamp()`,
      params: sql`${chats.params} || ${JSON.stringify({ model: input.model })}::jsonb`,
    })
    .where(eq(chats.uuid, input.chatUuid));
}

/** A user message (pending, selected, following `parentUuid`) and the request that will answer it. */
async function insertPromptAndRequest(
  tx: Tx,
  input: {
    messageUuid: string;
    requestUuid: string;
    chatUuid: string;
    userId: string;
    content: string;
    parentUuid: string | null | SQL<string | null>;
    model: string;
    context?: { timeZone?: string };
  },
): Promise<ChatMessage> {
  const [message] = await tx
    .insert(chatMessages)
    .values({
      uuid: input.messageUuid,
      chatUuid: input.chatUuid,
      role: "user",
      content: input.content,
      status: "pending",
      llmRequestUuid: input.requestUuid,
      authorId: input.userId,
      parentUuid: input.parentUuid,
    })
    .returning();
  await insertQueuedRequest(tx, { ...input, promptMessageUuid: input.messageUuid });
  return message!;
}
