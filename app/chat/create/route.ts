import { z } from "zod";
import { route } from "@/lib/http/route";
import { optionalText, optionalUuid } from "@/lib/http/params";
import { createChat } from "@/lib/chat/chats";
import { chatFragment } from "@/lib/html/fragments";
import { admitHourly } from "@/lib/auth/throttle";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

const body = z.object({
  uuid: optionalUuid,
  agent: optionalText(64),
  title: optionalText(200),
  model: optionalText(200),
});

/**
 * Creates a chat: 201 {chat}; replaying the same uuid answers the same chat with 200. At most
 * CHATS_PER_HOUR calls per user and hour (guests GUEST_CHATS_PER_HOUR): 429 above.
 */
export const POST = route({ body }, async ({ user, body, htmx }) => {
  const e = env();
  await admitHourly({ scope: "chat_create", subject: user.id, max: user.guest ? e.GUEST_CHATS_PER_HOUR : e.CHATS_PER_HOUR, what: "created a chat" });
  const { chat, created } = await createChat({ userId: user.id, ...body });
  const status = created ? 201 : 200;
  if (htmx) return chatFragment(chat, status);
  return Response.json({ chat }, { status });
});
