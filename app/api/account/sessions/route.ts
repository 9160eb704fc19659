import { route } from "@/lib/http/route";
import { deleteUserSessions } from "@/db/queries/sessions";

export const dynamic = "force-dynamic";

/** "Sign out everywhere": ends every session of the signed-in user, this one included: {ended: n}. API tokens stay. */
export const DELETE = route({}, async ({ user }) => Response.json({ ended: await deleteUserSessions(user.id) }));
