import { route } from "@/lib/http/route";
import { contentDisposition, exportAll } from "@/lib/export/transfer";

export const dynamic = "force-dynamic";

/** Every chat the user owns with all its messages, as one JSON file that POST /api/import takes back. */
export const GET = route({}, async ({ user }) => {
  const out = await exportAll({ userId: user.id });
  return new Response(out.body, { headers: { "content-type": out.type, "content-disposition": contentDisposition(out.filename), "cache-control": "no-store" } });
});
