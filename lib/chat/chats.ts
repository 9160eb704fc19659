/**
 * Chats as their members manage them: create (idempotent by uuid), list (keyset pages),
 * rename or switch model, archive, delete. Every query is scoped to the signed-in member in
 * the query itself (db/queries/chats.ts).
 */
import "server-only";
import { AppError, notFound } from "../errors";
import { uuidv7 } from "../ids";
import { storableText } from "../text";
import { AGENTS, DEFAULT_AGENT, findAgent } from "../models/agents";
import { findModel } from "../models/registry";
import { deleteChatAsOwner, insertChatIdempotent, listChatsForUser, updateChatAsMember, type MemberWrite } from "@/db/queries/chats";
import type { ChatStatus, MemberRole } from "@/db/schema";
import type { ChatDto } from "@/lib/contract";
import { toChatDto } from "./dto";
import { removeObjects } from "../files/storage";
import { decodeListCursor, encodeListCursor } from "./list-cursor";
import { resolveModel } from "./models";

export const READ_ONLY = () => new AppError("forbidden", "You can read this chat but not write in it. Ask its owner to make you an editor.");

function written<T>(result: MemberWrite<T>, what: string, forbidden: (role: MemberRole) => AppError): T {
  if (result.kind === "not_found") throw notFound(what);
  if (result.kind === "forbidden") throw forbidden(result.role);
  return result.value;
}

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

export async function listChats(input: { userId: string; limit: number; cursor?: string; status?: ChatStatus; query?: string }) {
  const before = input.cursor ? decodeListCursor(input.cursor) : undefined;
  const query = input.query === undefined ? undefined : storableText(input.query);
  const rows = await listChatsForUser({ userId: input.userId, limit: input.limit + 1, before, status: input.status, query });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > input.limit && last ? encodeListCursor(last.chat) : null;
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
  const { s3Objects } = written(await deleteChatAsOwner(input), "Chat not found.", () => new AppError("forbidden", "Only the chat's owner can delete it. Leave the chat instead."));
  // After the commit: a row never names a missing object (lib/files/storage.ts).
  await removeObjects(s3Objects);
}
