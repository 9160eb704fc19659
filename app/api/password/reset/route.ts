import { publicRoute } from "@/lib/http/route";
import { completePasswordReset, resetBody } from "@/lib/auth/email-links";

export const dynamic = "force-dynamic";

/** Sets a new password from a reset link: {reset: true}; every session of the account ends; 404 for a used or expired link. */
export const POST = publicRoute({ body: resetBody, maxBodyBytes: 4 * 1024 }, async ({ body }) => {
  await completePasswordReset(body);
  return Response.json({ reset: true });
});
