/**
 * Shared chats: the owner turns a public read-only link on and off. Anyone holding the link
 * reads the chat by its share uuid through the members' own poll statements with the share
 * link as their access (polls.ts): keyed by `chat.share_uuid` (unique index), naming no user,
 * and not public while the owner's account is disabled.
 */
import "server-only";
import { eq, sql } from "drizzle-orm";
import { chats } from "../schema.ts";
import { asMember, type MemberWrite } from "./chats.ts";

// ------------------------------------------------------------------ the owner's switch

/** The chat's share uuid (null while private), for its owner. */
export async function shareOfChatAsOwner(input: { chatUuid: string; userId: string }): Promise<MemberWrite<string | null>> {
  return asMember({ ...input, allowed: ["owner"] }, async (tx) => {
    const [row] = await tx.select({ shareUuid: chats.shareUuid }).from(chats).where(eq(chats.uuid, input.chatUuid)).limit(1);
    return row?.shareUuid ?? null;
  });
}

/**
 * Makes the chat public with `shareUuid`, or keeps the link it already has (sharing twice is
 * one link); `created` tells which. For its owner only.
 */
export async function shareChatAsOwner(input: { chatUuid: string; userId: string; shareUuid: string }): Promise<MemberWrite<{ shareUuid: string; created: boolean }>> {
  return asMember({ ...input, allowed: ["owner"] }, async (tx) => {
    const [row] = await tx
      .update(chats)
      .set({ shareUuid: sql`coalesce(${chats.shareUuid}, ${input.shareUuid}::uuid)` })
      .where(eq(chats.uuid, input.chatUuid))
      .returning({ shareUuid: chats.shareUuid });
    const shareUuid = row!.shareUuid!;
    return { shareUuid, created: shareUuid === input.shareUuid };
  });
}

/** Makes the chat private: its link stops at once, and sharing it again makes a new one. */
export async function unshareChatAsOwner(input: { chatUuid: string; userId: string }): Promise<MemberWrite<true>> {
  return asMember({ ...input, allowed: ["owner"] }, async (tx) => {
    await tx.update(chats).set({ shareUuid: null }).where(eq(chats.uuid, input.chatUuid));
    return true as const;
  });
}
