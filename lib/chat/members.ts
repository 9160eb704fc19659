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
  insertMemberByInvite,
  findActiveUserByEmail,
  promoteMember,
  findUsableInvite,
  insertInvite,
  listMembers,
  listOpenInvites,
  chatInstructions,
  deleteMembership,
  markInviteRevoked,
  setMemberRole,
  type MemberRow,
} from "@/db/queries/members";
import type { MemberRole } from "@/db/schema";
import type { ChatInstructionsDto, InvitableRole, InvitationDto, InviteDto, MemberDto, PendingInvitationDto } from "@/lib/contract";
import { findAgent } from "@/lib/models/agents";
import {
  insertMemberByInvitation,
  deleteInvitationOf,
  deleteInvitationFor,
  listChatInvitations,
  listMyInvitations,
  upsertInvitation,
  type PendingForOwner,
} from "@/db/queries/invitations";

const ONLY_OWNER = () => new AppError("forbidden", "Only the chat's owner can manage its members and invites.");

function outcome<T>(result: MemberWrite<T>, forbidden: () => AppError = ONLY_OWNER): T {
  if (result.kind === "not_found") throw notFound("Chat not found.");
  if (result.kind === "forbidden") throw forbidden();
  return result.value;
}

const toMemberDto = (m: MemberRow): MemberDto => ({ ...m, joinedAt: m.joinedAt.toISOString() });
const toInviteDto = (i: { uuid: string; role: InvitableRole; createdAt: Date; expiresAt: Date; uses?: number }): InviteDto => ({
  uuid: i.uuid,
  role: i.role,
  createdAt: i.createdAt.toISOString(),
  expiresAt: i.expiresAt.toISOString(),
  uses: i.uses ?? 0,
});
const toPendingDto = (p: PendingForOwner): PendingInvitationDto => ({ ...p, createdAt: p.createdAt.toISOString() });

/** The members (any member may see them); the open invite links and pending invitations for the owner only. */
export async function getMembers(input: {
  userId: string;
  chatUuid: string;
}): Promise<{ members: MemberDto[]; invites?: InviteDto[]; pending?: PendingInvitationDto[]; role: MemberRole; instructions: ChatInstructionsDto }> {
  const result = await asMember({ ...input, allowed: ["owner", "editor", "viewer"] }, async (tx) => ({
    members: await listMembers(tx, input.chatUuid),
    invites: await listOpenInvites(tx, input.chatUuid),
    pending: await listChatInvitations(tx, input.chatUuid),
    instructions: await chatInstructions(tx, input.chatUuid),
  }));
  const { members, invites, pending, instructions } = outcome(result);
  const role = result.kind === "ok" ? result.role : "viewer";
  const agent = findAgent(instructions.agent);
  return {
    members: members.map(toMemberDto),
    // Every member sees what steers the answers they read and pay for: an imported chat may carry any prompt.
    instructions: {
      agent: agent?.name ?? instructions.agent,
      systemPrompt: instructions.systemPrompt,
      custom: instructions.systemPrompt !== null && instructions.systemPrompt !== agent?.systemPrompt,
    },
    ...(role === "owner" ? { invites: invites.map(toInviteDto), pending: pending.map(toPendingDto) } : {}),
    role,
  };
}

export type InviteByEmailResult = { kind: "member"; member: MemberDto } | { kind: "invited"; invitation: PendingInvitationDto };

/**
 * Invites an account by its (verified) email, the owner only. Nobody becomes a member without
 * consent: a new invitation waits for the invitee to accept it in the app. Someone who is a
 * member already is promoted when the role is higher (an invitation never demotes).
 */
export async function inviteByEmail(input: { userId: string; chatUuid: string; email: string; role: InvitableRole }): Promise<InviteByEmailResult> {
  const result = await asMember({ ...input, allowed: ["owner"] }, async (tx) => {
    const invitee = await findActiveUserByEmail(tx, input.email);
    if (!invitee) return { kind: "no_account" as const };
    if (invitee.id === input.userId) return { kind: "self" as const };
    if (await promoteMember(tx, { chatUuid: input.chatUuid, userId: invitee.id, role: input.role })) {
      const member = (await listMembers(tx, input.chatUuid)).find((m) => m.userId === invitee.id)!;
      return { kind: "member" as const, member };
    }
    await upsertInvitation(tx, { uuid: uuidv7(), chatUuid: input.chatUuid, userId: invitee.id, role: input.role, invitedBy: input.userId });
    const pending = (await listChatInvitations(tx, input.chatUuid)).find((p) => p.userId === invitee.id)!;
    return { kind: "invited" as const, pending };
  });
  const value = outcome(result);
  if (value.kind === "no_account") {
    throw new AppError(
      "not_found",
      "No account with a verified address uses this email. Ask them to sign up (and confirm their address) first, or send them an invite link.",
    );
  }
  if (value.kind === "self") throw new AppError("validation_error", "You are this chat's owner already.");
  if (value.kind === "member") return { kind: "member", member: toMemberDto(value.member) };
  return { kind: "invited", invitation: toPendingDto(value.pending) };
}

/** The invitations waiting for my answer. */
export async function myInvitations(userId: string): Promise<InvitationDto[]> {
  return (await listMyInvitations(userId)).map((i) => ({
    uuid: i.uuid,
    chat: { uuid: i.chatUuid, title: i.chatTitle },
    role: i.role,
    invitedBy: { id: i.invitedById, name: i.invitedByName },
    createdAt: i.createdAt.toISOString(),
  }));
}

const INVITATION_GONE = () => notFound("This invitation is no longer open: it may have been withdrawn.");

/** Accepts an invitation addressed to me: I become a member. */
export async function acceptInvitation(input: { userId: string; uuid: string }): Promise<{ chatUuid: string; role: MemberRole }> {
  const joined = await insertMemberByInvitation(input);
  if (!joined) throw INVITATION_GONE();
  return joined;
}

/** Declines an invitation addressed to me. */
export async function declineInvitation(input: { userId: string; uuid: string }): Promise<void> {
  if (!(await deleteInvitationOf(input))) throw INVITATION_GONE();
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
    if (await deleteMembership(tx, { chatUuid: input.chatUuid, userId: input.memberId, byOwner: !self })) return true;
    // Not a member: the owner may be withdrawing an invitation that waits for an answer.
    return !self && (await deleteInvitationFor(tx, { chatUuid: input.chatUuid, userId: input.memberId }));
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
  const found = outcome(await asMember({ ...input, allowed: ["owner"] }, (tx) => markInviteRevoked(tx, input)));
  if (!found) throw notFound("This chat has no such invite.");
}

const INVITE_GONE = () => notFound("This invite link is not valid: it may have expired or been revoked. Ask for a new one.");

/** What an invite link offers, for the page that asks to join. */
/** What an invite link offers; `userId` null for a signed-out visitor (the link is the secret). */
export async function inviteInfo(input: { userId: string | null; token: string }) {
  if (!INVITE_TOKEN_RE.test(input.token)) throw INVITE_GONE();
  const info = await findUsableInvite({ tokenHash: hashInviteToken(input.token), userId: input.userId });
  if (!info) throw INVITE_GONE();
  if (info.removed && !info.memberRole) throw REMOVED();
  const { removed: _removed, ...rest } = info;
  return rest;
}

const REMOVED = () =>
  new AppError("forbidden", "The owner removed you from this chat, so this link does not let you back in. Ask them to invite you again.");

/**
 * Joins the chat of an invite link (idempotent). A member keeps their role (a link never
 * promotes: the owner's demotion stands); someone the owner removed is refused.
 */
export async function acceptInvite(input: { userId: string; token: string }): Promise<{ chatUuid: string; role: MemberRole }> {
  if (!INVITE_TOKEN_RE.test(input.token)) throw INVITE_GONE();
  const joined = await insertMemberByInvite({ tokenHash: hashInviteToken(input.token), userId: input.userId });
  if (!joined) throw INVITE_GONE();
  if (joined.kind === "removed") throw REMOVED();
  return { chatUuid: joined.chatUuid, role: joined.role };
}
