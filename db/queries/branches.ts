/**
 * Branches (docs/design.md §3.12): every message follows a parent, messages with the same
 * parent are versions of one another, one of them `selected`, and `hidden` marks what is off
 * the active branch (the path from the selected root down the selected children). `hidden` is
 * derived from `selected`: whoever changes `selected` recomputes it here, in the same
 * transaction, so that every reader only has to filter `not hidden`.
 */
import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { getDb } from "../client.ts";
import { chatMembers, chatMessages, chats, llmRequests, users } from "../schema.ts";
import { activeUser, canWrite, memberOf, type Tx } from "./access.ts";
import { inProgressSql } from "./fragments.ts";

/**
 * Sets `hidden` for every message of the chat from `selected`, in one statement: the active
 * branch walked down from the selected root (chat_message_parent_idx), then only the rows whose
 * flag is wrong are written (each write is a change the feed announces).
 */
export async function recomputeHidden(tx: Tx, chatUuid: string): Promise<void> {
  await tx.execute(sql`
    with recursive active as (
      select m.uuid from ${chatMessages} m where m.chat_uuid = ${chatUuid} and m.parent_uuid is null and m.selected
      union all
      select m.uuid from ${chatMessages} m join active a on m.parent_uuid = a.uuid where m.chat_uuid = ${chatUuid} and m.selected
    )
    update ${chatMessages} m set hidden = not (m.uuid in (select uuid from active))
    where m.chat_uuid = ${chatUuid} and m.hidden = (m.uuid in (select uuid from active))`);
}

/**
 * Makes `messageUuid` and every message above it the selected version among theirs (their
 * siblings unselected), in one statement: the message is then on the active branch, and below
 * it the conversation follows the versions selected there last time. Idempotent.
 */
export async function selectPath(tx: Tx, chatUuid: string, messageUuid: string): Promise<void> {
  await tx.execute(sql`
    with recursive path as (
      select m.uuid, m.parent_uuid from ${chatMessages} m where m.uuid = ${messageUuid} and m.chat_uuid = ${chatUuid}
      union all
      select m.uuid, m.parent_uuid from ${chatMessages} m join path p on m.uuid = p.parent_uuid where m.chat_uuid = ${chatUuid}
    )
    update ${chatMessages} m set selected = (m.uuid in (select uuid from path))
    where m.chat_uuid = ${chatUuid}
      and (m.parent_uuid in (select parent_uuid from path) or (m.parent_uuid is null and exists (select 1 from path where parent_uuid is null)))
      and m.selected <> (m.uuid in (select uuid from path))`);
}

export type SwitchResult = { kind: "ok" } | { kind: "chat_not_found" } | { kind: "forbidden" } | { kind: "message_not_found" } | { kind: "in_progress" };

/**
 * Switches the chat to the branch through `messageUuid` (POST /chat/{uuid}/branch): an active
 * member who may write, no answer queued or running (the runner writes below its prompt, which
 * must stay on the active branch), a message of this chat; one transaction.
 */
export async function switchBranch(input: { chatUuid: string; userId: string; messageUuid: string }): Promise<SwitchResult> {
  const db = await getDb();
  return db.transaction((tx) => switchIn(tx, input));
}

async function switchIn(tx: Tx, input: { chatUuid: string; userId: string; messageUuid: string }): Promise<SwitchResult> {
  const [state] = await tx
    .select({
      role: chatMembers.role,
      found: sql<boolean>`exists (select 1 from ${chatMessages} where ${chatMessages.uuid} = ${input.messageUuid} and ${chatMessages.chatUuid} = ${input.chatUuid})`,
    })
    .from(chatMembers)
    .innerJoin(users, activeUser())
    .where(memberOf(input.chatUuid, input.userId))
    .limit(1);
  if (!state) return { kind: "chat_not_found" };
  if (!canWrite(state.role)) return { kind: "forbidden" };
  if (!state.found) return { kind: "message_not_found" };
  // Locked, then asked whether an answer is in flight: a queueing transaction locks the chat
  // row first too (queue.ts, admit), so a send and a switch of one chat take turns.
  await tx.select({ uuid: chats.uuid }).from(chats).where(eq(chats.uuid, input.chatUuid)).for("update");
  const [busy] = await tx
    .select({ uuid: llmRequests.uuid })
    .from(llmRequests)
    .where(and(eq(llmRequests.chatUuid, input.chatUuid), sql.raw(inProgressSql('"llm_request"'))))
    .limit(1);
  if (busy) return { kind: "in_progress" };
  await selectPath(tx, input.chatUuid, input.messageUuid);
  await recomputeHidden(tx, input.chatUuid);
  return { kind: "ok" };
}
