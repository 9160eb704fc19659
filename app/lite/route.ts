/**
 * GET /lite: the htmx client (docs/design.md §11), a whole HTML document with no React on the
 * client; see lib/html/lite-page.ts. `?chat={uuid}` opens one of the user's chats (the page
 * puts it in the URL when it creates one, so a reload resumes the conversation, mid-answer too).
 * Signed out: a redirect to the sign-in page, which comes back here.
 */
import { randomBytes } from "node:crypto";
import { getSessionUser } from "@/lib/auth/session";
import { getMessages } from "@/lib/chat/polls";
import { AppError } from "@/lib/errors";
import { isUuid } from "@/lib/ids";
import { litePage, litePageCsp, type LitePageInput } from "@/lib/html/lite-page";

export const dynamic = "force-dynamic";

export async function GET(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const user = await getSessionUser(req);
  if (!user) {
    const back = url.pathname + url.search;
    // A relative Location: right behind any proxy, whatever host the request reached us by.
    return new Response(null, { status: 307, headers: { location: `/signin?callbackUrl=${encodeURIComponent(back)}`, "cache-control": "no-store" } });
  }

  let chat: LitePageInput["chat"];
  let notice: string | undefined;
  const chatUuid = url.searchParams.get("chat");
  if (chatUuid) {
    if (!isUuid(chatUuid)) notice = "That link does not name a chat. Start a new one.";
    else {
      try {
        chat = await getMessages({ userId: user.id, chatUuid: chatUuid.toLowerCase() });
      } catch (err) {
        if (!(err instanceof AppError && err.status === 404)) throw err;
        notice = "That chat was not found. Start a new one.";
      }
    }
  }

  const nonce = randomBytes(16).toString("base64");
  return new Response(litePage({ user, chat, notice, nonce }), {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": litePageCsp(nonce),
      "x-content-type-options": "nosniff",
      "referrer-policy": "same-origin",
    },
  });
}
