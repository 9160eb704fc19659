import { z } from "zod";
import { publicRoute } from "@/lib/http/route";
import { AppError } from "@/lib/errors";
import { verifyEmail } from "@/lib/auth/email-links";

export const dynamic = "force-dynamic";

const body = z.object({ token: z.string().max(200) });

/** Follows a verification link (the page /verify-email posts its token here): {verified: true}; 404 for an unknown, used or expired link. */
export const POST = publicRoute({ body, maxBodyBytes: 4 * 1024 }, async ({ body }) => {
  if (!(await verifyEmail(body.token))) throw new AppError("not_found", "This link is not valid: it may have expired or been used already. Ask for a new one.");
  return Response.json({ verified: true });
});
