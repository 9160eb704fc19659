/**
 * A member's answer to a tool call that waits for approval (docs/design.md §3.11): one click by
 * any member who may write in the chat, on any device; the runner waiting for it (on whichever
 * server) picks it up within a fraction of a second and the call's part shows who decided.
 */
import "server-only";
import { AppError, notFound } from "../errors";
import { canWrite } from "@/db/queries/access";
import { decideToolCall, findAnswerForMember, readAttemptEvents } from "@/db/queries/parts";
import { applyPartEvents } from "../parts";
import { READ_ONLY } from "./chats";

const NOT_WAITING = () => new AppError("not_awaiting_approval", "This tool call is not waiting for approval any more.");

export async function decideTool(input: { userId: string; messageUuid: string; callId: string; approve: boolean }): Promise<{ approved: boolean }> {
  const answer = await findAnswerForMember({ messageUuid: input.messageUuid, userId: input.userId });
  if (!answer) throw notFound("Message not found.");
  if (!canWrite(answer.role)) throw READ_ONLY();
  // An answer that ended has no call waiting any more.
  if (!answer.active) throw NOT_WAITING();
  const { requestUuid, attempt } = answer.active;
  const parts = applyPartEvents([], (await readAttemptEvents({ requestUuid, attempt })).map((e) => e.event));
  const call = parts.find((p) => p.type === "tool" && p.callId === input.callId);
  if (call?.type !== "tool" || call.status !== "awaiting-approval") throw NOT_WAITING();
  if (!(await decideToolCall({ requestUuid, callId: input.callId, approve: input.approve, userId: input.userId }))) throw NOT_WAITING();
  return { approved: input.approve };
}
