/** The signed-in user, for route handlers and server components. */
import { auth } from "./config";
import { requestSessionUser } from "./request-session";

export interface SessionUser {
  id: string;
  email: string | null;
  name: string | null;
}

/**
 * With the request (route handlers): its session cookie, decoded and briefly cached
 * (request-session.ts). Without (server components): Auth.js's auth().
 */
export async function getSessionUser(req?: Request): Promise<SessionUser | null> {
  if (req) return requestSessionUser(req);
  const session = await auth();
  const u = session?.user;
  if (!u?.id) return null;
  return { id: u.id, email: u.email ?? null, name: u.name ?? null };
}
