/** Collaborative chats: members, invites by email and by link (README, "Collaborative chats"). */
import { errors, fromZod, json, jsonBody, object, param, ref, type Paths, type Schema } from "./build";
import { z } from "zod";
import { invitableRole } from "../http/params";
import { DEFAULT_INVITE_HOURS, MAX_INVITE_HOURS } from "../chat/members";

const tags = ["Collaboration"];
const userId: Schema = { name: "user_id", in: "path", required: true, description: "A member's user id.", schema: { type: "string", format: "uuid" } };
const inviteUuid: Schema = { name: "invite_uuid", in: "path", required: true, description: "An invite link's uuid (not its token).", schema: { type: "string", format: "uuid" } };
const token: Schema = { name: "token", in: "path", required: true, description: "The token of an invite link: /invite/{token}.", schema: { type: "string", maxLength: 200 } };
const invitationUuid: Schema = { name: "uuid", in: "path", required: true, description: "An invitation's uuid.", schema: { type: "string", format: "uuid" } };
const roleBody = fromZod(z.object({ role: invitableRole }));

export const peoplePaths: Paths = {
  "/api/chats/{uuid}/members": {
    get: {
      operationId: "listMembers",
      summary: "The chat's members, and its open invite links (the owner only)",
      tags,
      parameters: [param("ChatUuid")],
      responses: { "200": json("Members, owner first.", ref("Members")), ...errors(400, 401, 403, 404, 503) },
    },
    post: {
      operationId: "inviteByEmail",
      summary: "Invite the account with this (verified) email as an editor or a viewer (the owner only)",
      description:
        "Nobody joins without consent: 202 with an invitation the invitee accepts or declines in the app (POST or DELETE /api/invitations/{uuid}). 404 when no account with a verified address uses the email. A member already is promoted when the role is higher, never demoted (200).",
      tags,
      parameters: [param("ChatUuid")],
      requestBody: jsonBody(fromZod(z.object({ email: z.string().max(254), role: invitableRole.optional() }))),
      responses: {
        "202": json("Invited: waiting for their answer.", object({ invitation: ref("PendingInvitation") })),
        "200": json("They were a member already.", object({ member: ref("Member") })),
        ...errors(400, 401, 403, 404, 413, 415, 503),
      },
    },
  },
  "/api/chats/{uuid}/members/{user_id}": {
    patch: {
      operationId: "changeMemberRole",
      summary: "Make a member an editor or a viewer (the owner only)",
      tags,
      parameters: [param("ChatUuid"), userId],
      requestBody: jsonBody(roleBody),
      responses: { "200": json("The member.", object({ member: ref("Member") })), ...errors(400, 401, 403, 404, 413, 415, 503) },
    },
    delete: {
      operationId: "removeMember",
      summary: "Remove a member (the owner), or leave the chat (your own id)",
      description:
        "Their access ends with this call, on every server; someone the owner removed cannot rejoin by an invite link, only by a new invitation by email. With the id of someone invited by email who has not answered, the owner withdraws the invitation. The owner cannot leave (403).",
      tags,
      parameters: [param("ChatUuid"), userId],
      responses: { "200": json("Removed.", object({ removed: { const: true } })), ...errors(400, 401, 403, 404, 503) },
    },
  },
  "/api/chats/{uuid}/invites": {
    post: {
      operationId: "createInvite",
      summary: "A new invite link for editors or viewers (the owner only)",
      description: `The token is in this answer once; only its hash is stored. Expires after expiresInHours (1 to ${MAX_INVITE_HOURS}, default ${DEFAULT_INVITE_HOURS}).`,
      tags,
      parameters: [param("ChatUuid")],
      requestBody: jsonBody(fromZod(z.object({ role: invitableRole.optional(), expiresInHours: z.number().int().min(1).max(MAX_INVITE_HOURS).optional() })), { required: false }),
      responses: { "201": json("The invite, with its token and path (/invite/{token}).", object({ invite: ref("NewInvite") })), ...errors(400, 401, 403, 404, 413, 415, 503) },
    },
  },
  "/api/chats/{uuid}/invites/{invite_uuid}": {
    delete: {
      operationId: "revokeInvite",
      summary: "Revoke an invite link at once (the owner only; idempotent)",
      tags,
      parameters: [param("ChatUuid"), inviteUuid],
      responses: { "200": json("Revoked.", object({ revoked: { const: true } })), ...errors(400, 401, 403, 404, 503) },
    },
  },
  "/api/invitations": {
    get: {
      operationId: "listInvitations",
      summary: "The invitations by email waiting for my answer",
      tags,
      responses: { "200": json("Newest first.", object({ invitations: { type: "array", items: ref("Invitation") } })), ...errors(401, 403, 503) },
    },
  },
  "/api/invitations/{uuid}": {
    post: {
      operationId: "acceptInvitation",
      summary: "Accept an invitation addressed to me: I become a member",
      tags,
      parameters: [invitationUuid],
      responses: { "200": json("Joined.", object({ chatUuid: { type: "string", format: "uuid" }, role: { enum: ["owner", "editor", "viewer"] } })), ...errors(400, 401, 403, 404, 503) },
    },
    delete: {
      operationId: "declineInvitation",
      summary: "Decline an invitation addressed to me",
      tags,
      parameters: [invitationUuid],
      responses: { "200": json("Declined.", object({ declined: { const: true } })), ...errors(400, 401, 403, 404, 503) },
    },
  },
  "/api/invites/{token}": {
    get: {
      operationId: "inviteInfo",
      summary: "What an invite link offers",
      tags,
      parameters: [token],
      responses: { "200": json("The invite.", object({ invite: ref("InviteInfo") })), ...errors(401, 403, 404, 503) },
    },
    post: {
      operationId: "acceptInvite",
      summary: "Join the chat of an invite link (idempotent: a member keeps their role)",
      description: "A link never changes a member's role (an owner's demotion stands). Someone the owner removed gets 403 until invited again by email.",
      tags,
      parameters: [token],
      responses: { "200": json("Joined.", object({ chatUuid: { type: "string", format: "uuid" }, role: { enum: ["owner", "editor", "viewer"] } })), ...errors(401, 403, 404, 503) },
    },
  },
};
