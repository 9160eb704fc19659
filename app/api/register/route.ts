import { publicRoute } from "@/lib/http/route";
import { registerBody, registerUser, sendFirstVerification } from "@/lib/auth/register";
import { requestIp } from "@/lib/auth/throttle";
import { getSessionUser } from "@/lib/auth/session";
import { appOrigin } from "@/lib/auth/email-links";

export const dynamic = "force-dynamic";

/**
 * Creates an email + password account: 201 {user, verification}; 409 email_taken; 400 on bad
 * input; 429 when the address made too many. Sent by a signed-in guest, it turns the guest into
 * this account (same user, every chat kept): `user.converted` is true. The address starts
 * unverified; a link to verify it is mailed (`verification.sent`; in development without SMTP,
 * `verification.devLink` is the link).
 */
export const POST = publicRoute({ body: registerBody, maxBodyBytes: 16 * 1024 }, async ({ req, body }) => {
  const current = await getSessionUser(req);
  const user = await registerUser(body, requestIp(req), current?.guest && current.via === "session" ? current.id : undefined);
  const verification = await sendFirstVerification(user, appOrigin(req));
  return Response.json({ user, verification }, { status: 201 });
});
