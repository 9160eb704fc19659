import { z } from "zod";
import { route } from "@/lib/http/route";
import { optionalText, optionalUuid } from "@/lib/http/params";
import { createChat } from "@/lib/chat/chats";
import { chatFragment } from "@/lib/html/fragments";

export const dynamic = "force-dynamic";

const body = z.object({
  uuid: optionalUuid,
  agent: optionalText(64),
  title: optionalText(200),
  model: optionalText(200),
});

/** Creates a chat: 201 {chat}; replaying the same uuid answers the same chat with 200. */
export const POST = route({ body }, async ({ user, body, htmx }) => {
  const { chat, created } = await createChat({ userId: user.id, ...body });
  const status = created ? 201 : 200;
  if (htmx) return chatFragment(chat, status);
  return Response.json({ chat }, { status });
});
