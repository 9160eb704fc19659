import { timingSafeEqual } from "node:crypto";
import { AppError, notFound } from "../errors";

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The gate of the operator endpoints: with no token configured the endpoint does not exist
 * (404); otherwise `Authorization: Bearer <token>` or 401 with a WWW-Authenticate challenge.
 * Returns the refusal to send, or undefined when the caller may go on.
 */
export function refuseWithoutBearer(req: Request, token: string | undefined, realm: string, variable: string): Response | undefined {
  if (!token) throw notFound("Not found.");
  const given = /^Bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "")?.[1]?.trim() ?? "";
  if (sameToken(given, token)) return undefined;
  const err = new AppError("unauthorized", `Send the token: Authorization: Bearer <${variable}>.`);
  return Response.json(err.toJSON(), { status: err.status, headers: { "WWW-Authenticate": `Bearer realm="${realm}"` } });
}
