/**
 * Export and import of chats. Reads are scoped like every chat read (a member may export what
 * they can read; "all my chats" is what the user owns); an import is one transaction for the
 * whole file. Not a hot path: the whole-account reads join across chats.
 */
import "server-only";
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { getDb } from "../client.ts";
import { cursorOf, type Part } from "../../lib/parts.ts";
import { chatMembers, chatMessages, chats, users, type Chat, type ChatMessage, type ChatParams, type ChatStatus, type MessageRole, type MessageStatus } from "../schema.ts";
import { activeUser, memberOf, type Tx } from "./access.ts";

/** Every chat the user owns with its messages, oldest chat first, each conversation in order. */
export async function ownedChatsWithMessages(input: { userId: string }): Promise<{ chat: Chat; messages: ChatMessage[] }[]> {
  const db = await getDb();
  const owned = await db
    .select({ chat: chats })
    .from(chats)
    .innerJoin(users, and(eq(users.id, chats.userId), isNull(users.disabledAt)))
    .where(eq(chats.userId, input.userId))
    .orderBy(asc(chats.createdAt), asc(chats.uuid));
  if (owned.length === 0) return [];
  const rows = await db
    .select({ message: chatMessages })
    .from(chatMessages)
    .innerJoin(chats, eq(chats.uuid, chatMessages.chatUuid))
    .where(eq(chats.userId, input.userId))
    .orderBy(asc(chatMessages.chatUuid), asc(chatMessages.createdAt), asc(chatMessages.uuid));
  const byChat = new Map<string, ChatMessage[]>();
  for (const { message } of rows) {
    const list = byChat.get(message.chatUuid);
    if (list) list.push(message);
    else byChat.set(message.chatUuid, [message]);
  }
  return owned.map(({ chat }) => ({ chat, messages: byChat.get(chat.uuid) ?? [] }));
}

/** One chat the user is a member of, with every message of every branch, in order; undefined: not theirs. */
export async function memberChatWithMessages(input: { userId: string; chatUuid: string }): Promise<{ chat: Chat; messages: ChatMessage[] } | undefined> {
  const db = await getDb();
  const [found] = await db
    .select({ chat: chats })
    .from(chats)
    .innerJoin(chatMembers, memberOf(chats.uuid, input.userId))
    .innerJoin(users, activeUser())
    .where(eq(chats.uuid, input.chatUuid))
    .limit(1);
  if (!found) return undefined;
  const messages = await db
    .select()
    .from(chatMessages)
    .where(eq(chatMessages.chatUuid, input.chatUuid))
    .orderBy(asc(chatMessages.createdAt), asc(chatMessages.uuid));
  return { chat: found.chat, messages };
}

export interface ChatToImport {
  /** Kept when free; a chat of the user's own with this uuid is left alone (the import is idempotent). */
  uuid?: string;
  title: string;
  status: ChatStatus;
  agent: string;
  params: ChatParams;
  createdAt: Date;
  updatedAt: Date;
  messages: {
    uuid?: string;
    role: MessageRole;
    content: string;
    status: MessageStatus;
    error: string | null;
    createdAt: Date;
    parts?: Part[];
    /** Branches (docs/design.md §3.12): the parent as an index into `messages` (null: a root), as lib/export/branches.ts worked them out. */
    parent: number | null;
    selected: boolean;
    hidden: boolean;
  }[];
}

export type ImportOutcome =
  | {
      kind: "imported";
      uuid: string;
      title: string;
      messages: number;
      /** The uuid in the file, when the chat got a new one. */
      from?: string;
      /** Files referenced by the file that this server could not restore (docs/design.md §3.13). */
      filesLeftOut?: number;
    }
  | { kind: "skipped"; uuid: string; title: string };

/** Which of these message uuids are already used, a bounded number per statement. */
async function takenMessageUuids(tx: Tx, uuids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < uuids.length; i += 5_000) {
    const rows = await tx.select({ uuid: chatMessages.uuid }).from(chatMessages).where(inArray(chatMessages.uuid, uuids.slice(i, i + 5_000)));
    for (const r of rows) found.add(r.uuid);
  }
  return found;
}

/**
 * Creates the chats of an import file for the user, all or none (one transaction).
 *
 * Which uuid a chat gets: the one in the file when it is free; else, when it is taken by another
 * user's chat, `derive(uuid)` (a uuid made from the user and that uuid), so that importing the
 * same file into this account again finds that chat; else a new one (`newUuid`). A chat whose
 * uuid (or derived uuid) is already one of the user's own is skipped: importing a file twice
 * creates nothing the second time, and an import never overwrites a chat. Messages follow their
 * chat (kept, derived), unless one of those uuids is taken: then all get new ones.
 */
export async function importChatsForUser(input: {
  userId: string;
  chats: ChatToImport[];
  newUuid: () => string;
  derive: (uuid: string) => string;
  /** Stores the files of the chat at `chatIndex` of the file for its messages (their new uuids, in order); answers how many were left out. */
  files?: (tx: Tx, at: { chatIndex: number; chatUuid: string; messageUuids: string[] }) => Promise<number>;
  /** Once every chat is in: a last check of what the files take (throws to refuse the whole import). */
  filesDone?: (tx: Tx) => Promise<void>;
}): Promise<ImportOutcome[]> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const candidates = input.chats.flatMap((c) => (c.uuid ? [c.uuid, input.derive(c.uuid)] : []));
    const owners = new Map<string, string>();
    for (let i = 0; i < candidates.length; i += 5_000) {
      const rows = await tx
        .select({ uuid: chats.uuid, userId: chats.userId })
        .from(chats)
        .where(inArray(chats.uuid, candidates.slice(i, i + 5_000)));
      for (const r of rows) owners.set(r.uuid, r.userId);
    }
    const fileMessages = input.chats.flatMap((c) => c.messages.flatMap((m) => (m.uuid ? [m.uuid, input.derive(m.uuid)] : [])));
    const takenMessages = await takenMessageUuids(tx, fileMessages);

    const outcomes: ImportOutcome[] = [];
    for (const [chatIndex, c] of input.chats.entries()) {
      const tried = c.uuid ? [c.uuid, input.derive(c.uuid)] : [];
      const mine = tried.find((u) => owners.get(u) === input.userId);
      if (mine) {
        outcomes.push({ kind: "skipped", uuid: mine, title: c.title });
        continue;
      }
      const free = tried.find((u) => !owners.has(u));
      const uuid = free ?? input.newUuid();
      // The messages' uuids go the way the chat's went: as in the file, derived, or new.
      const messageUuid = free === c.uuid ? (u: string) => u : free ? input.derive : undefined;
      const keepMessages = messageUuid !== undefined && c.messages.every((m) => m.uuid && !takenMessages.has(messageUuid(m.uuid)));
      await tx.insert(chats).values({
        uuid,
        userId: input.userId,
        title: c.title,
        status: c.status,
        agent: c.agent,
        params: c.params,
        createdAt: c.createdAt,
        updatedAt: c.updatedAt,
        lastMessageAt: c.messages.at(-1)?.createdAt ?? c.createdAt,
      });
      await tx.insert(chatMembers).values({ chatUuid: uuid, userId: input.userId, role: "owner", lastReadAt: new Date() });
      const uuids = c.messages.map((m) => (keepMessages ? messageUuid(m.uuid!) : input.newUuid()));
      const rows = c.messages.map((m, i) => ({
        uuid: uuids[i]!,
        chatUuid: uuid,
        role: m.role,
        content: m.content,
        status: m.status,
        error: m.error,
        authorId: m.role === "user" ? input.userId : null,
        createdAt: m.createdAt,
        // Imported parts are final: a cursor of their own, that no live log has.
        parts: m.parts ?? null,
        partsCursor: m.parts ? cursorOf(m.parts.length, "imported") : null,
        parentUuid: m.parent === null ? null : uuids[m.parent]!,
        selected: m.selected,
        hidden: m.hidden,
      }));
      // 13 columns a row: well under PostgreSQL's 65,535 parameters per statement.
      for (let i = 0; i < rows.length; i += 1_000) await tx.insert(chatMessages).values(rows.slice(i, i + 1_000));
      const filesLeftOut = (await input.files?.(tx, { chatIndex, chatUuid: uuid, messageUuids: rows.map((r) => r.uuid) })) ?? 0;
      outcomes.push({ kind: "imported", uuid, title: c.title, messages: rows.length, ...(uuid !== c.uuid && c.uuid ? { from: c.uuid } : {}), ...(filesLeftOut ? { filesLeftOut } : {}) });
    }
    await input.filesDone?.(tx);
    return outcomes;
  });
}
