import { route } from "@/lib/http/route";
import { accountUsage } from "@/lib/account/usage";

export const dynamic = "force-dynamic";

/** The signed-in user's quotas (limit, used, when each resets) and usage per UTC day and model, last 30 days. */
export const GET = route({}, async ({ user }) => Response.json(await accountUsage(user.id)));
