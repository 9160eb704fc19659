/**
 * Members and invites of a chat, for the members dialog: polled while it is open (someone may
 * join by link or leave meanwhile), and the owner's actions, each followed by a refetch.
 */
import { useQuery, type QueryClient } from "@tanstack/react-query";
import { api } from "./api";
import { keys, type InvitationDto, type InviteDto, type MemberDto, type MembersState, type PendingInvitationDto } from "./keys";

export type InvitableRole = "editor" | "viewer";

export function useMembers(chatUuid: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.members(chatUuid),
    queryFn: () => api<MembersState>(`/api/chats/${chatUuid}/members`),
    enabled,
    refetchInterval: enabled ? 2000 : false,
    refetchIntervalInBackground: false,
    retry: false,
  });
}

const refresh = (qc: QueryClient, chatUuid: string) => qc.invalidateQueries({ queryKey: keys.members(chatUuid) });

/** Invites someone by email: an invitation they accept or decline, or (a member already) their role now. */
export async function inviteByEmail(
  qc: QueryClient,
  chatUuid: string,
  email: string,
  role: InvitableRole,
): Promise<{ member?: MemberDto; invitation?: PendingInvitationDto }> {
  const answer = await api<{ member?: MemberDto; invitation?: PendingInvitationDto }>(`/api/chats/${chatUuid}/members`, { method: "POST", json: { email, role } });
  await refresh(qc, chatUuid);
  return answer;
}

/** The invitations waiting for my answer (the sidebar), polled: one may arrive at any time. */
export function useInvitations() {
  return useQuery({
    queryKey: ["invitations"],
    queryFn: () => api<{ invitations: InvitationDto[] }>("/api/invitations"),
    refetchInterval: 5000,
    refetchIntervalInBackground: false,
    retry: false,
  });
}

export async function answerInvitation(qc: QueryClient, uuid: string, accept: boolean): Promise<{ chatUuid?: string }> {
  const answer = await api<{ chatUuid?: string }>(`/api/invitations/${uuid}`, { method: accept ? "POST" : "DELETE" });
  await qc.invalidateQueries({ queryKey: ["invitations"] });
  if (accept) await qc.invalidateQueries({ queryKey: keys.allChats });
  return answer;
}

export async function changeRole(qc: QueryClient, chatUuid: string, userId: string, role: InvitableRole): Promise<void> {
  await api(`/api/chats/${chatUuid}/members/${userId}`, { method: "PATCH", json: { role } });
  await refresh(qc, chatUuid);
}

/** Removes a member; with your own id, leaves the chat (the lists drop it). */
export async function removeMember(qc: QueryClient, chatUuid: string, userId: string): Promise<void> {
  await api(`/api/chats/${chatUuid}/members/${userId}`, { method: "DELETE" });
  await refresh(qc, chatUuid);
  await qc.invalidateQueries({ queryKey: keys.allChats });
}

export async function createInvite(
  qc: QueryClient,
  chatUuid: string,
  role: InvitableRole,
  expiresInHours: number,
): Promise<InviteDto & { token: string; path: string }> {
  const { invite } = await api<{ invite: InviteDto & { token: string; path: string } }>(`/api/chats/${chatUuid}/invites`, {
    method: "POST",
    json: { role, expiresInHours },
  });
  await refresh(qc, chatUuid);
  return invite;
}

export async function revokeInvite(qc: QueryClient, chatUuid: string, inviteUuid: string): Promise<void> {
  await api(`/api/chats/${chatUuid}/invites/${inviteUuid}`, { method: "DELETE" });
  await refresh(qc, chatUuid);
}

export async function acceptInvite(token: string): Promise<{ chatUuid: string }> {
  return api<{ chatUuid: string }>(`/api/invites/${token}`, { method: "POST" });
}

/** Two letters for an avatar: "Ada Lovelace" -> "AL", "ada" -> "AD". */
export function initials(name: string): string {
  const words = name.trim().split(/[\s._-]+/).filter(Boolean);
  const letters = words.length > 1 ? words[0]!.charAt(0) + words.at(-1)!.charAt(0) : (words[0] ?? "?").slice(0, 2);
  return letters.toUpperCase() || "?";
}

/** A stable hue per user, so the same person has the same avatar colour everywhere. */
export function avatarHue(id: string): number {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) % 360;
  return h;
}
