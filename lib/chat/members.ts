/**
 * Collaborative chats: who is in a chat and as what (owner, editor who may write, viewer who
 * may only read), invitations by email (an existing account) or by link, leaving. Every change
 * is checked against the acting member's role in the same transaction (asMember).
 */
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { AppError, notFound } from "../errors";
import { uuidv7 } from "../ids";
import { asMember, type MemberWrite } from "@/db/queries/chats";
import {
  acceptInvite as acceptInviteQuery,
  addMember,
  findActiveUserByEmail,
  findUsableInvite,
  insertInvite,
  listMembers,
  listOpenInvites,
  removeMember as removeMemberQuery,
  revokeInvite as revokeInviteQuery,
  setMemberRole,
  type MemberRow,
} from "@/db/queries/members";
import type { MemberRole } from "@/db/schema";
import type { InvitableRole, InviteDto, MemberDto } from "@/lib/contract";

const ONLY_OWNER = () => new AppError("forbidden", "Only the chat's owner can manage its members and invites.");

function outcome<T>(result: MemberWrite<T>, forbidden: () => AppError = ONLY_OWNER): T {
  if (result.kind === "not_found") throw notFound("Chat not found.");
  if (result.kind === "forbidden") throw forbidden();
  return result.value;
}

const toMemberDto = (m: MemberRow): MemberDto => ({ ...m, joinedAt: m.joinedAt.toISOString() });
const toInviteDto = (i: { uuid: string; role: InvitableRole; createdAt: Date; expiresAt: Date }): InviteDto => ({
  uuid: i.uuid,
  role: i.role,
  createdAt: i.createdAt.toISOString(),
  expiresAt: i.expiresAt.toISOString(),
});

/** The members (any member may see them); the open invites for the owner only. */
export async function getMembers(input: { userId: string; chatUuid: string }): Promise<{ members: MemberDto[]; invites?: InviteDto[]; role: MemberRole }> {
  const result = await asMember({ ...input, allowed: ["owner", "editor", "viewer"] }, async (tx) => ({
    members: await listMembers(tx, input.chatUuid),
    invites: await listOpenInvites(tx, input.chatUuid),
  }));
  const { members, invites } = outcome(result);
  const role = result.kind === "ok" ? result.role : "viewer";
  return { members: members.map(toMemberDto), ...(role === "owner" ? { invites: invites.map(toInviteDto) } : {}), role };
}

/** Adds an existing account by its email (the owner only). Already a member: keeps the higher role. */
export async function inviteByEmail(input: { userId: string; chatUuid: string; email: string; role: InvitableRole }): Promise<{ member: MemberDto; created: boolean }> {
  const result = await asMember({ ...input, allowed: ["owner"] }, async (tx) => {
    const invitee = await findActiveUserByEmail(tx, input.email);
    if (!invitee) return { kind: "no_account" as const };
    if (invitee.id === input.userId) return { kind: "self" as const };
    const before = (await listMembers(tx, input.chatUuid)).some((m) => m.userId === invitee.id);
    await addMember(tx, { chatUuid: input.chatUuid, userId: invitee.id, role: input.role });
    const member = (await listMembers(tx, input.chatUuid)).find((m) => m.userId === invitee.id)!;
    return { kind: "ok" as const, member, created: !before };
  });
  const value = outcome(result);
  if (value.kind === "no_account") {
    throw new AppError("not_found", "No account uses this email. Ask them to sign up first, or send them an invite link.");
  }
  if (value.kind === "self") throw new AppError("validation_error", "You are this chat's owner already.");
  return { member: toMemberDto(value.member), created: value.created };
}

/** Makes a member an editor or a viewer (the owner only; the owner's own role does not change). */
export async function changeRole(input: { userId: string; chatUuid: string; memberId: string; role: InvitableRole }): Promise<MemberDto> {
  const value = outcome(
    await asMember({ ...input, allowed: ["owner"] }, async (tx) => {
      if (input.memberId === input.userId) return "owner" as const;
      if (!(await setMemberRole(tx, { chatUuid: input.chatUuid, userId: input.memberId, role: input.role }))) return undefined;
      return (await listMembers(tx, input.chatUuid)).find((m) => m.userId === input.memberId);
    }),
  );
  if (value === "owner") throw new AppError("validation_error", "The owner's role cannot change.");
  if (!value) throw notFound("That person is not a member of this chat.");
  return toMemberDto(value);
}

/**
 * Removes a member: the owner removes anyone else; any member removes themselves (leaves).
 * Their access ends with this call, on every server (membership is read by every query).
 */
export async function removeMember(input: { userId: string; chatUuid: string; memberId: string }): Promise<void> {
  const self = input.memberId === input.userId;
  const result = await asMember({ ...input, allowed: self ? ["owner", "editor", "viewer"] : ["owner"] }, async (tx) => {
    if (self) {
      const me = (await listMembers(tx, input.chatUuid)).find((m) => m.userId === input.userId);
      if (me?.role === "owner") return "owner" as const;
    }
    return removeMemberQuery(tx, { chatUuid: input.chatUuid, userId: input.memberId });
  });
  const removed = outcome(result, self ? undefined : () => new AppError("forbidden", "Only the chat's owner can remove other members. You can leave it yourself."));
  if (removed === "owner") throw new AppError("forbidden", "The owner cannot leave their own chat. Delete it instead, or keep it.");
  if (!removed) throw notFound("That person is not a member of this chat.");
}

// ------------------------------------------------------------------ invite links

/** Invite links are `/invite/{token}`: 32 random bytes; only their hash is stored. */
export const INVITE_TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
export const DEFAULT_INVITE_HOURS = 7 * 24;
export const MAX_INVITE_HOURS = 30 * 24;

export const hashInviteToken = (token: string) => createHash("sha256").update(`invite:${token}`).digest("hex");

/** A new invite link (the owner only). The token is in the answer once and never again. */
export async function createInvite(input: { userId: string; chatUuid: string; role: InvitableRole; expiresInHours?: number }) {
  const token = randomBytes(32).toString("base64url");
  const invite = outcome(
    await asMember({ ...input, allowed: ["owner"] }, (tx) =>
      insertInvite(tx, {
        uuid: uuidv7(),
        chatUuid: input.chatUuid,
        tokenHash: hashInviteToken(token),
        role: input.role,
        createdBy: input.userId,
        expiresInSeconds: (input.expiresInHours ?? DEFAULT_INVITE_HOURS) * 3600,
      }),
    ),
  );
  return { invite: { ...toInviteDto(invite), token, path: `/invite/${token}` } };
}

/** Revokes an invite link at once (the owner only); idempotent. */
export async function revokeInvite(input: { userId: string; chatUuid: string; inviteUuid: string }): Promise<void> {
  const found = outcome(await asMember({ ...input, allowed: ["owner"] }, (tx) => revokeInviteQuery(tx, input)));
  if (!found) throw notFound("This chat has no such invite.");
}

const INVITE_GONE = () => notFound("This invite link is not valid: it may have expired or been revoked. Ask for a new one.");

/** What an invite link offers, for the page that asks to join. */
/** What an invite link offers; `userId` null for a signed-out visitor (the link is the secret). */
export async function inviteInfo(input: { userId: string | null; token: string }) {
  if (!INVITE_TOKEN_RE.test(input.token)) throw INVITE_GONE();
  const info = await findUsableInvite({ tokenHash: hashInviteToken(input.token), userId: input.userId });
  if (!info) throw INVITE_GONE();
  return info;
}

/** Joins the chat of an invite link (idempotent: a member keeps the higher role). */
export async function acceptInvite(input: { userId: string; token: string }): Promise<{ chatUuid: string; role: MemberRole }> {
  if (!INVITE_TOKEN_RE.test(input.token)) throw INVITE_GONE();
  const joined = await acceptInviteQuery({ tokenHash: hashInviteToken(input.token), userId: input.userId });
  if (!joined) throw INVITE_GONE();
  return joined;
}
