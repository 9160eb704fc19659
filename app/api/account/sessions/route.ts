import { route } from "@/lib/http/route";
import { deleteUserSessions } from "@/db/queries/sessions";
import { forgetLiveSession } from "@/lib/auth/session-live";

export const dynamic = "force-dynamic";

/** "Sign out everywhere": ends every session of the signed-in user, this one included: {ended: n}. API tokens stay. */
export const DELETE = route({}, async ({ user }) => {
  const ended = await deleteUserSessions(user.id);
  forgetLiveSession({ userId: user.id });
  return Response.json({ ended });
});
