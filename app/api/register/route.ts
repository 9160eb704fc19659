import { publicRoute } from "@/lib/http/route";
import { registerBody, registerUser } from "@/lib/auth/register";

export const dynamic = "force-dynamic";

/** Creates an email + password account: 201 {user}; 409 email_taken; 400 on bad input. */
export const POST = publicRoute({ body: registerBody, maxBodyBytes: 16 * 1024 }, async ({ body }) =>
  Response.json({ user: await registerUser(body) }, { status: 201 }),
);
