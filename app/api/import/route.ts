import { route, validationError } from "@/lib/http/route";
import { readBody } from "@/lib/http/body";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { importFile } from "@/lib/export/format";
import { importChats } from "@/lib/export/transfer";
import { admitHourly } from "@/lib/auth/throttle";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * An export file (GET /api/export, or one chat's JSON export): its chats are created again for
 * the user, all or none. 201 when something was imported, 200 when every chat was already there.
 */
export const POST = route({}, async ({ user, req }) => {
  const limit = env().IMPORT_MAX_BYTES;
  let raw: unknown;
  try {
    raw = await readBody(req, limit);
  } catch (err) {
    if (!(err instanceof AppError && err.code === "payload_too_large")) throw err;
    const mb = Math.round((limit / 1024 / 1024) * 10) / 10;
    throw new AppError("payload_too_large", `The file is larger than ${mb} MB, the most one import takes. Import it in parts (each chat's JSON export is a file of its own), or ask the operator to raise IMPORT_MAX_BYTES.`);
  }
  const parsed = importFile.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error, "body");
  // Counted once the file is valid: IMPORTS_PER_HOUR imports (guests: a fifth) per user and hour.
  const e = env();
  await admitHourly({ scope: "import", subject: user.id, max: user.guest ? Math.ceil(e.IMPORTS_PER_HOUR / 5) : e.IMPORTS_PER_HOUR, what: "imported a file" });
  const result = await importChats({ userId: user.id, file: parsed.data });
  return Response.json(result, { status: result.imported.length > 0 ? 201 : 200 });
});
