import { z } from "zod";
import { route, validationError } from "@/lib/http/route";
import { chatParams } from "@/lib/http/params";
import { contentDisposition, exportChat } from "@/lib/export/transfer";

export const dynamic = "force-dynamic";

const query = z.object({ format: z.enum(["md", "json"]).default("md") });

/** One chat the user can read, as a Markdown or JSON (importable) download. */
export const GET = route({ params: chatParams }, async ({ user, params, req }) => {
  const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw validationError(parsed.error, "query");
  const out = await exportChat({ userId: user.id, chatUuid: params.uuid, format: parsed.data.format });
  return new Response(out.body, { headers: { "content-type": out.type, "content-disposition": contentDisposition(out.filename), "cache-control": "no-store" } });
});
