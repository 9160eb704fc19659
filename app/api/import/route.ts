import { route, validationError } from "@/lib/http/route";
import { readBody } from "@/lib/http/body";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { importFile } from "@/lib/export/format";
import { importChats, type ImportResult } from "@/lib/export/transfer";
import { admitHourly, inMinutes, takeHourly } from "@/lib/auth/throttle";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * An export file (GET /api/export, or one chat's JSON export): its chats are created again for
 * the user, all or none. 201 when something was imported, 200 when every chat was already there.
 * 429, importing nothing, when the file holds more chats than the hour's chat creations left.
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
  // Counted once the file is valid. Each chat of the file takes one of the hour's chat
  // creations (CHATS_PER_HOUR, guests GUEST_CHATS_PER_HOUR), all or none, checked first so that
  // a refused file counts for nothing; the chats it already had are given back after.
  const e = env();
  const chats = parsed.data.chats.length;
  const perHour = user.guest ? e.GUEST_CHATS_PER_HOUR : e.CHATS_PER_HOUR;
  const taken = await takeHourly({
    scope: "chat_create",
    subject: user.id,
    max: perHour,
    uses: chats,
    what: "created a chat",
    refusal: ({ left, wait }) =>
      `The file holds ${chats} chats; you may create ${perHour} per hour (imported ones included) and have ${left} left. ` +
      (wait === undefined ? `Import it in parts of at most ${perHour} chats, an hour apart.` : `Try again in ${inMinutes(wait)}, or import fewer chats.`),
  });
  let result: ImportResult;
  try {
    // IMPORTS_PER_HOUR imports (guests: a fifth) per user and hour.
    await admitHourly({ scope: "import", subject: user.id, max: user.guest ? Math.ceil(e.IMPORTS_PER_HOUR / 5) : e.IMPORTS_PER_HOUR, what: "imported a file" });
    result = await importChats({ userId: user.id, file: parsed.data });
  } catch (err) {
    await taken.giveBack(chats);
    throw err;
  }
  await taken.giveBack(result.skipped.length);
  return Response.json(result, { status: result.imported.length > 0 ? 201 : 200 });
});
