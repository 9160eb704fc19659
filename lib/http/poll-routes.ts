/**
 * The polls' contract paths and the Pages API routes that serve them (lib/http/pages-route.ts
 * says why). next.config.mjs turns this into rewrites that run before the filesystem routes;
 * the tests map the files back to these paths (test/support/app-routes.ts). Plain data, so that
 * next.config.mjs can import it.
 */
export const POLL_ROUTES = [
  {
    source: "/chat/:uuid/messages",
    destination: "/api/poll/chat/:uuid/messages",
    template: "/chat/[uuid]/messages",
    file: "pages/api/poll/chat/[uuid]/messages/index.ts",
  },
  {
    source: "/chat/:uuid/messages/:last_uuid",
    destination: "/api/poll/chat/:uuid/messages/:last_uuid",
    template: "/chat/[uuid]/messages/[last_uuid]",
    file: "pages/api/poll/chat/[uuid]/messages/[last_uuid].ts",
  },
  {
    source: "/chat/message/:uuid/tokens/:position",
    destination: "/api/poll/message/:uuid/tokens/:position",
    template: "/chat/message/[uuid]/tokens/[position]",
    file: "pages/api/poll/message/[uuid]/tokens/[position].ts",
  },
];
