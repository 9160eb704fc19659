import { publicRoute } from "@/lib/http/route";
import { registerBody, registerUser } from "@/lib/auth/register";
import { requestIp } from "@/lib/auth/throttle";
import { getSessionUser } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

/**
 * Creates an email + password account: 201 {user}; 409 email_taken; 400 on bad input; 429 when
 * the address made too many. Sent by a signed-in guest, it turns the guest into this account
 * (same user, every chat kept): `user.converted` is true.
 */
export const POST = publicRoute({ body: registerBody, maxBodyBytes: 16 * 1024 }, async ({ req, body }) => {
  const current = await getSessionUser(req);
  const user = await registerUser(body, requestIp(req), current?.guest && current.via === "session" ? current.id : undefined);
  return Response.json({ user }, { status: 201 });
});
