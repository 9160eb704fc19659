import { route } from "@/lib/http/route";
import { AppError } from "@/lib/errors";
import { appOrigin, sendVerification } from "@/lib/auth/email-links";

export const dynamic = "force-dynamic";

/** Mails the signed-in user a new verification link: 202 {sent, devLink?}; 409 when already verified. */
export const POST = route({}, async ({ req, user }) => {
  if (user.guest || !user.email) throw new AppError("validation_error", "A guest has no address to verify. Create an account first.");
  if (user.emailVerified) throw new AppError("conflict", "Your address is verified already.");
  return Response.json(await sendVerification({ userId: user.id, email: user.email, origin: appOrigin(req) }), { status: 202 });
});
