/**
 * The polls' contract paths and the Pages API routes that serve them (lib/http/pages-route.ts
 * says why). next.config.mjs turns this into rewrites (after the filesystem routes: no app
 * route has these paths); the tests map the files back to these paths
 * (test/support/app-routes.ts). Plain data, so that next.config.mjs can import it.
 *
 * The destinations have no parameters of their own: Next passes the source's path parameters
 * on as query parameters (over any of the same name in the URL's query), and a static
 * destination spares it compiling a path pattern per request (measured with bench/cpu-split.ts:
 * bench/RESULTS.md#goal-1-poll-cost). The destinations answer too, with the same guard: they
 * are not part of the API.
 */
export const POLL_ROUTES = [
  {
    source: "/chat/:uuid/messages",
    destination: "/api/poll/messages",
    template: "/chat/[uuid]/messages",
    file: "pages/api/poll/messages.ts",
  },
  {
    source: "/chat/:uuid/messages/:last_uuid",
    destination: "/api/poll/messages-after",
    template: "/chat/[uuid]/messages/[last_uuid]",
    file: "pages/api/poll/messages-after.ts",
  },
  {
    source: "/chat/message/:uuid/tokens/:position",
    destination: "/api/poll/tokens",
    template: "/chat/message/[uuid]/tokens/[position]",
    file: "pages/api/poll/tokens.ts",
  },
];
