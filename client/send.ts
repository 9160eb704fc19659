/** Sending from a composer: on refusal, the reason becomes the chat's notice and the text its draft again. */
import type { QueryClient } from "@tanstack/react-query";
import type { AttachmentDto } from "@/lib/contract";
import { sendMessage } from "./actions";
import { setDraft } from "./drafts";
import { noticeFor, notices } from "./notices";

export async function sendAndReport(qc: QueryClient, chatUuid: string, text: string, model?: string, attachments?: AttachmentDto[]): Promise<boolean> {
  const err = await sendMessage(qc, { chatUuid, content: text, model, attachments });
  if (!err) return true;
  notices.set(chatUuid, noticeFor(err));
  setDraft(chatUuid, text);
  return false;
}
