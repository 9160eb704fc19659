/**
 * GET /chat/message/{uuid}/tokens/{position}, rewritten here (lib/http/poll-routes.ts): the Pages API adapter of the poll written
 * in lib/http/poll-handlers.ts (on a Node server the fast path answers it first:
 * lib/http/poll-fast-path.ts).
 */
import { tokensPoll } from "@/lib/http/poll-handlers";

// Statically read by Next: no body to parse; on Vercel a poll that resumes an answer runs this long.
export const config = { api: { bodyParser: false }, maxDuration: 300 };

export default tokensPoll;
