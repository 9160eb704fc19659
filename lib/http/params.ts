/** Zod schemas for what arrives in paths and bodies, shared by the route handlers. */
import { z } from "zod";
import { AppError } from "../errors";
import { parseCursor, type PartsCursor } from "../parts";

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const uuidString = z
  .string()
  .regex(UUID_RE, { message: "must be a UUID such as 0190f5b8-7c1e-7cc3-9a39-2f1d5a1b2c3d" })
  .transform((s) => s.toLowerCase());

export const chatParams = z.object({ uuid: uuidString });
export const chatAfterParams = z.object({ uuid: uuidString, last_uuid: uuidString });
export const messageParams = z.object({ uuid: uuidString });

/** Positions are non-negative integers; anything beyond PostgreSQL's int range is simply past the end. */
export const tokensParams = z.object({
  uuid: uuidString,
  position: z
    .string()
    .regex(/^\d{1,30}$/, { message: "must be a non-negative integer" })
    .transform((s) => Math.min(Number(s), 2_147_483_647)),
});

/** The sender's IANA time zone (what the clock tool answers in); one this server does not know is left out. */
export const timeZoneParam = z
  .string()
  .max(64)
  .optional()
  .transform((s) => (s && isTimeZone(s) ? s : undefined));

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Form posts send every field as a string; an empty field means "not given". */
export const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((s) => (s === "" ? undefined : s));

export const optionalUuid = z
  .union([uuidString, z.literal("")])
  .optional()
  .transform((s) => (s ? s : undefined));

/**
 * The files sent with a message (docs/design.md §3.13): uploads' uuids. A form repeats the field
 * (one value alone arrives as a string; an empty one means none). How many: the service's check.
 */
export const attachmentsParam = z
  .preprocess((v) => (typeof v === "string" ? (v === "" ? [] : [v]) : v), z.array(uuidString, { message: "must be a list of upload uuids" }).max(1000))
  .optional();

export const memberParams = z.object({ uuid: uuidString, user_id: uuidString });
export const inviteParams = z.object({ uuid: uuidString, invite_uuid: uuidString });
/** An invite link's token: its shape is checked by the service (a bad one reads as an unknown invite). */
export const inviteTokenParams = z.object({ token: z.string().max(200) });
export const invitableRole = z.enum(["editor", "viewer"], { message: "must be editor or viewer" });

/** `?typing=1` on a messages poll: the reader has a draft in the composer (presence). */
export const typingParam = (req: { url: string }): boolean => new URL(req.url).searchParams.get("typing") === "1";

/** The public tokens poll of a shared chat: /api/share/{uuid}/tokens/{message_uuid}/{position}. */
export const sharedTokensParams = tokensParams.extend({ message_uuid: uuidString });

export const tokenParams = z.object({ uuid: uuidString });

/**
 * `?parts=<cursor>` on a tokens poll (docs/design.md §3.11): the client knows parts and has
 * applied the events up to this cursor ("0": none). Absent: a text-only poll, as before.
 */
export function partsCursorParam(value: string | null | undefined): PartsCursor | undefined {
  if (value === null || value === undefined) return undefined;
  if (!parseCursor(value)) throw new AppError("validation_error", "parts: must be 0 or a cursor an earlier answer gave.");
  return value;
}

/** A tool call of an answer: /chat/message/{uuid}/tools/{call_id} (a provider's call id: short, plain). */
export const toolCallParams = z.object({
  uuid: uuidString,
  call_id: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, { message: "must be a tool call id from the answer's parts" }),
});
