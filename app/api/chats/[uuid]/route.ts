import { z } from "zod";
import { route } from "@/lib/http/route";
import { chatParams } from "@/lib/http/params";
import { deleteChat, updateChat } from "@/lib/chat/chats";

export const dynamic = "force-dynamic";

const patch = z
  .object({
    title: z.string().trim().max(200).optional(),
    status: z.enum(["active", "archived"]).optional(),
    model: z.string().max(200).optional(),
  })
  .refine((b) => b.title !== undefined || b.status !== undefined || b.model !== undefined, {
    message: "give at least one of title, status, model",
  });

/** Renames, archives or switches the model of a chat: {chat}. */
export const PATCH = route({ params: chatParams, body: patch }, async ({ user, params, body }) =>
  Response.json({ chat: await updateChat({ userId: user.id, chatUuid: params.uuid, ...body }) }),
);

/** Deletes a chat and everything in it (a running answer stops): {deleted: true}. */
export const DELETE = route({ params: chatParams }, async ({ user, params }) => {
  await deleteChat({ userId: user.id, chatUuid: params.uuid });
  return Response.json({ deleted: true });
});
