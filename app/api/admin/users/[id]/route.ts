import { adminRoute } from "@/lib/http/route";
import { getUser, updateUser, userParams, userPatchBody } from "@/lib/admin/admin-actions";

export const dynamic = "force-dynamic";

/** Admins: one user with their usage and quotas: {user}. */
export const GET = adminRoute({ params: userParams }, async ({ params }) => Response.json({ user: await getUser(params.id) }));

/**
 * Admins: {disabled?, quota?: {messagesPerHour?, tokensPerDay?, concurrent?, storageBytes?}} (a non-negative
 * integer sets an override, null clears it): {user}. Disabling stops the user's sessions, API
 * tokens and answers in flight at once; an admin cannot disable themselves (403).
 */
export const PATCH = adminRoute({ params: userParams, body: userPatchBody, maxBodyBytes: 4 * 1024 }, async ({ params, body, user }) =>
  Response.json({ user: await updateUser({ adminId: user.id, userId: params.id, patch: body }) }),
);
