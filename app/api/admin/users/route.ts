import { adminRoute, validationError } from "@/lib/http/route";
import { listUsers, usersQuery } from "@/lib/admin/admin-actions";

export const dynamic = "force-dynamic";

/** Admins: every user, newest first, with their usage and quotas: {users, nextCursor}. */
export const GET = adminRoute({}, async ({ req }) => {
  const parsed = usersQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw validationError(parsed.error, "query");
  return Response.json(await listUsers(parsed.data));
});
