/**
 * The chat list's cursor: where the next page starts, as (updated_at, uuid) of the last chat of
 * this page, in an opaque base64url string. Only what `encodeListCursor` makes is accepted: an
 * ISO time and a uuid (anything else would reach the database as garbage).
 */
import { AppError } from "../errors";
import { isUuid } from "../ids";

export interface ListPosition {
  updatedAt: Date;
  uuid: string;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function encodeListCursor(at: ListPosition): string {
  return Buffer.from(`${at.updatedAt.toISOString()}|${at.uuid}`).toString("base64url");
}

/** The position a cursor names; a 400 (validation_error) for anything else. */
export function decodeListCursor(cursor: string): ListPosition {
  const [ts, uuid] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const updatedAt = new Date(ts && ISO_TIME.test(ts) ? ts : "");
  if (!uuid || !isUuid(uuid) || Number.isNaN(updatedAt.getTime())) throw new AppError("validation_error", "Invalid cursor.");
  return { updatedAt, uuid };
}
