/**
 * The admin area (GET/PATCH /api/admin/..., the /admin page): users with their usage, disabling
 * and enabling them, their quota overrides, and the generations in flight or failed. Callers
 * are admins (adminRoute, or the page's own check).
 */
import "server-only";
import { z } from "zod";
import { AppError, notFound } from "../errors";
import { isUuid } from "../ids";
import { effectiveRole } from "../auth/roles";
import { quotasFor } from "../quotas";
import { localRuns } from "../generation/local-runs";
import { GenerationStop } from "../generation/errors";
import { cancelRequest } from "@/db/queries/attempts";
import { listToolRuns } from "@/db/queries/parts";
import {
  findUserForAdmin,
  listActiveGenerations,
  listFailedGenerations,
  listUsersWithUsage,
  setUserDisabled,
  setUserQuota,
  type AdminGenerationRow,
  type AdminUserRow,
} from "@/db/queries/admin";
import type { AdminGenerationDto, AdminToolRunDto, AdminUserDto } from "@/lib/contract";

function toUserDto(u: AdminUserRow): AdminUserDto {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: effectiveRole(u),
    guest: u.guest,
    disabled: u.disabledAt !== null,
    disabledAt: u.disabledAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
    quota: u.quota,
    limits: quotasFor(u).limits,
    usage: { tokensToday: u.tokensToday, tokens30d: u.tokens30d, requests30d: u.requests30d, messagesLastHour: u.messagesLastHour, active: u.active },
  };
}

export const usersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  q: z.string().trim().max(200).optional(),
});

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export async function listUsers(input: z.infer<typeof usersQuery>): Promise<{ users: AdminUserDto[]; nextCursor: string | null }> {
  let before: { createdAt: Date; id: string } | undefined;
  if (input.cursor) {
    const [ts, id] = Buffer.from(input.cursor, "base64url").toString("utf8").split("|");
    const createdAt = new Date(ts && ISO_TIME.test(ts) ? ts : "");
    if (!id || !isUuid(id) || Number.isNaN(createdAt.getTime())) throw new AppError("validation_error", "Invalid cursor.");
    before = { createdAt, id };
  }
  // NUL cannot reach a text comparison in PostgreSQL: such a search matches nobody.
  if (input.q?.includes("\u0000")) return { users: [], nextCursor: null };
  const rows = await listUsersWithUsage({ limit: input.limit + 1, before, query: input.q || undefined });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > input.limit && last ? Buffer.from(`${last.createdAt.toISOString()}|${last.id}`).toString("base64url") : null;
  return { users: page.map(toUserDto), nextCursor };
}

const quotaValue = z.union([z.number().int().min(0).max(1_000_000_000_000), z.null()]);

/** PATCH /api/admin/users/{id}: disable or enable, and set (number) or clear (null) quota overrides. */
export const userPatchBody = z
  .object({
    disabled: z.boolean().optional(),
    quota: z
      .object({ messagesPerHour: quotaValue.optional(), tokensPerDay: quotaValue.optional(), concurrent: quotaValue.optional(), storageBytes: quotaValue.optional() })
      .strict()
      .optional(),
  })
  .strict()
  .refine((b) => b.disabled !== undefined || b.quota !== undefined, { message: "give disabled or quota" });

export const userParams = z.object({ id: z.string().max(100).refine(isUuid, { message: "must be a user id (a UUID)" }).transform((s) => s.toLowerCase()) });

export async function getUser(id: string): Promise<AdminUserDto> {
  const user = await findUserForAdmin(id);
  if (!user) throw notFound("User not found.");
  return toUserDto(user);
}

export async function updateUser(input: { adminId: string; userId: string; patch: z.infer<typeof userPatchBody> }): Promise<AdminUserDto> {
  const { patch } = input;
  if (patch.disabled === true && input.userId === input.adminId) {
    throw new AppError("forbidden", "You cannot disable your own account. Ask another admin to do it.");
  }
  if (patch.quota && !(await setUserQuota({ id: input.userId, changes: patch.quota }))) throw notFound("User not found.");
  if (patch.disabled !== undefined) {
    const result = await setUserDisabled({ id: input.userId, disabled: patch.disabled });
    if (!result.found) throw notFound("User not found.");
    // Their answers in flight stop too: cancelled at once, as if they had pressed Stop.
    for (const uuid of result.active) {
      await cancelRequest({ requestUuid: uuid });
      localRuns.abort(uuid, new GenerationStop("cancelled", "The account was disabled."));
    }
  }
  return getUser(input.userId);
}

function toGenerationDto(g: AdminGenerationRow): AdminGenerationDto {
  return {
    uuid: g.uuid,
    chatUuid: g.chatUuid,
    user: { id: g.userId, email: g.userEmail, guest: g.userGuest },
    model: g.model,
    status: g.status,
    attempt: g.attempt,
    createdAt: g.createdAt.toISOString(),
    startedAt: g.startedAt?.toISOString() ?? null,
    finishedAt: g.finishedAt?.toISOString() ?? null,
    error: g.error,
  };
}

export const FAILED_DAYS = 7;

export const generationsQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

/** Generations queued or running now, and the failed ones of the last FAILED_DAYS days, with their errors. */
export async function listGenerations(input: { limit: number }): Promise<{ inFlight: AdminGenerationDto[]; failed: AdminGenerationDto[] }> {
  const [inFlight, failed] = await Promise.all([listActiveGenerations(input.limit), listFailedGenerations({ limit: input.limit, days: FAILED_DAYS })]);
  return { inFlight: inFlight.map(toGenerationDto), failed: failed.map(toGenerationDto) };
}

/** The latest tool calls, for the admin page and API (docs/design.md §3.11): never their input or output. */
export async function listToolRunsDto(limit: number): Promise<AdminToolRunDto[]> {
  const rows = await listToolRuns({ limit });
  return rows.map((r) => ({ id: r.id, tool: r.tool, source: r.source, status: r.status, ms: r.ms, createdAt: r.createdAt.toISOString(), user: r.user }));
}
