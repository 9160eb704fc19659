/**
 * Switching branches (docs/design.md §3.12): POST /chat/{uuid}/branch selects one version of a
 * message, and the conversation below it follows that version. The answer is the chat's
 * messages poll after the switch, so the client that switched shows it at once; the others
 * learn it from their own polls (their last message left the active branch: 404
 * unknown_last_message, and they reload the list).
 */
import "server-only";
import { AppError, notFound } from "../errors";
import { sync as syncChanges } from "../changes/feed";
import { switchBranch } from "@/db/queries/branches";
import { READ_ONLY } from "./chats";
import { getMessages, type MessagesDto } from "./polls";

export async function switchToVersion(input: { userId: string; chatUuid: string; messageUuid: string }): Promise<MessagesDto> {
  const result = await switchBranch(input);
  switch (result.kind) {
    case "chat_not_found":
      throw notFound("Chat not found.");
    case "forbidden":
      throw READ_ONLY();
    case "message_not_found":
      throw notFound("Message not found in this chat.");
    case "in_progress":
      throw new AppError("generation_in_progress", "An answer is being generated in this chat. Wait for it or stop it before switching versions.");
    case "ok":
      break;
  }
  // Read your own write: the poll below may be answered from memory (docs/design.md §8.3).
  await syncChanges();
  return getMessages({ userId: input.userId, chatUuid: input.chatUuid });
}
