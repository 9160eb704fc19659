import { route } from "@/lib/http/route";
import { chatParams } from "@/lib/http/params";
import { getShareState, shareChat, unshareChat } from "@/lib/chat/share";

export const dynamic = "force-dynamic";

/** The chat's public link, for its owner: {share: {shared, shareUuid, path}}. */
export const GET = route({ params: chatParams }, async ({ user, params }) =>
  Response.json({ share: await getShareState({ userId: user.id, chatUuid: params.uuid }) }),
);

/** Makes the chat public: 201 with a new link, 200 with the link it already has. */
export const POST = route({ params: chatParams }, async ({ user, params }) => {
  const { share, created } = await shareChat({ userId: user.id, chatUuid: params.uuid });
  return Response.json({ share }, { status: created ? 201 : 200 });
});

/** Makes the chat private: its link answers 404 from now on. Idempotent. */
export const DELETE = route({ params: chatParams }, async ({ user, params }) =>
  Response.json({ share: await unshareChat({ userId: user.id, chatUuid: params.uuid }) }),
);
