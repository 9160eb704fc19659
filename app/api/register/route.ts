import { publicRoute } from "@/lib/http/route";
import { registerBody, registerUser } from "@/lib/auth/register";
import { requestIp } from "@/lib/auth/throttle";

export const dynamic = "force-dynamic";

/** Creates an email + password account: 201 {user}; 409 email_taken; 400 on bad input; 429 when the address made too many. */
export const POST = publicRoute({ body: registerBody, maxBodyBytes: 16 * 1024 }, async ({ req, body }) =>
  Response.json({ user: await registerUser(body, requestIp(req)) }, { status: 201 }),
);
