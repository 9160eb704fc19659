import { publicRoute } from "@/lib/http/route";
import { appOrigin, forgotBody, requestPasswordReset } from "@/lib/auth/email-links";
import { requestIp } from "@/lib/auth/throttle";

export const dynamic = "force-dynamic";

/**
 * Mails a one-time reset link (valid one hour) when an account uses the address: 202 {sent: true}
 * whether or not one does, so the answer does not tell who has an account.
 */
export const POST = publicRoute({ body: forgotBody, maxBodyBytes: 4 * 1024 }, async ({ req, body }) => {
  const result = await requestPasswordReset({ email: body.email, origin: appOrigin(req), ip: requestIp(req) });
  return Response.json({ sent: true, ...result }, { status: 202 });
});
