import { z } from "zod";
import { route } from "@/lib/http/route";
import { listChats } from "@/lib/chat/chats";
import { validationError } from "@/lib/http/route";

export const dynamic = "force-dynamic";

const query = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: z.string().max(200).optional(),
  status: z.enum(["active", "archived"]).optional(),
  q: z.string().trim().max(200).optional(),
});

/** The user's chats, newest activity first: {chats, nextCursor}; pass nextCursor as ?cursor= for the next page. */
export const GET = route({}, async ({ user, req }) => {
  const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw validationError(parsed.error, "query");
  const { limit, cursor, status, q } = parsed.data;
  return Response.json(await listChats({ userId: user.id, limit, cursor, status, query: q || undefined }));
});
