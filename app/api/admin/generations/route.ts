import { adminRoute, validationError } from "@/lib/http/route";
import { generationsQuery, listGenerations } from "@/lib/admin/admin-actions";

export const dynamic = "force-dynamic";

/** Admins: generations in flight and failed ones of the last 7 days (user, chat, model, status, times, error; never text). */
export const GET = adminRoute({}, async ({ req }) => {
  const parsed = generationsQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw validationError(parsed.error, "query");
  return Response.json(await listGenerations(parsed.data));
});
