import type { ChatDto, ChatInstructionsDto, ChatPresenceDto, InvitationDto, InviteDto, MemberDto, MessageDto, PendingInvitationDto, TokensDto } from "@/lib/contract";
import type { PartsState } from "./parts";
/**
 * React Query keys and the client-side shapes of what they hold. Imported by server
 * components too (to hydrate the cache), so nothing here touches the browser.
 */

export type { ChatDto, ChatInstructionsDto, ChatPresenceDto, InvitationDto, InviteDto, MemberDto, MessageDto, PendingInvitationDto, TokensDto };

export type MessageStatus = MessageDto["status"];

/** A message as the client holds it: `local` while the server has not confirmed it yet. */
export interface ClientMessage extends MessageDto {
  local?: "sending";
}

export interface ChatState extends Partial<ChatPresenceDto> {
  chat: ChatDto;
  messages: ClientMessage[];
  /** Set when the list was made on the client (a new chat): the next poll loads it whole. */
  incomplete?: true;
}

export interface ChatListPage {
  chats: ChatDto[];
  nextCursor: string | null;
}

export interface ModelInfo {
  id: string;
  label: string;
  provider: string;
  demo: boolean;
}

export interface ModelsState {
  models: ModelInfo[];
  default: string;
}

export interface AgentInfo {
  id: string;
  name: string;
  description: string;
  greeting?: string;
}

/** A pending message's stream, held by its own query (see useMessageStream), with its answer's parts. */
export interface StreamState extends PartsState {
  text: string;
  position: number;
  status: MessageStatus;
  error?: string;
}

export const keys = {
  chats: (q: string) => ["chats", q] as const,
  allChats: ["chats"] as const,
  messages: (chatUuid: string) => ["chat", chatUuid, "messages"] as const,
  tokens: (messageUuid: string) => ["message", messageUuid, "tokens"] as const,
  models: ["models"] as const,
  agents: ["agents"] as const,
  members: (chatUuid: string) => ["chat", chatUuid, "members"] as const,
};

export interface MembersState {
  members: MemberDto[];
  invites?: InviteDto[];
  pending?: PendingInvitationDto[];
  role: ChatDto["role"];
  instructions: ChatInstructionsDto;
}

export const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set(["completed", "failed", "cancelled"]);

export function isFinal(status: MessageStatus | undefined): boolean {
  return status !== undefined && FINAL_STATUSES.has(status);
}


export const CHAT_PAGE_SIZE = 40;
