/**
 * The guard for the polls, which are Pages Router API routes (pages/api/poll/*, reached at
 * their contract paths through rewrites in next.config.mjs; see lib/http/poll-routes.ts).
 *
 * Why not route handlers like every other endpoint: a poll comes every 300 ms from every open
 * tab, and an App Router route handler costs more CPU than a Pages API route for the same work
 * (Next's request and response web streams, its work stores): docs/design.md §8, and the
 * figures in bench/RESULTS.md#goal-1-poll-cost. The guard does what route() does for a handler: request id, session or API
 * token (the account is checked by the poll's own query, in the same round trip: no extra
 * query every 300 ms; the handler must pass `identity.id` to such a query), zod on the path,
 * every error as the documented JSON, one log line and the metrics.
 */
import { sessionLive } from "../auth/session-live";
import type { NextApiRequest, NextApiResponse } from "next";
import type { z } from "zod";
import { AppError } from "../errors";
import { requestIdFor, withRequestContext } from "../log";
import type { Identity } from "../auth/identity";
import { errorResponse, identified, recordRequest, validationError } from "./route";
import type { RequestHead } from "./request-head";

export interface PollArgs<P> {
  identity: Identity;
  params: P;
  /** `HX-Request: true`: answer an HTML fragment. */
  htmx: boolean;
  /** A query-string value (the path's own parameters are in `params`). */
  query: (name: string) => string | undefined;
}

/** A JSON answer, written straight to the socket (no web Response to build and read back). */
export interface JsonAnswer {
  json: unknown;
  status?: number;
}

function headOf(req: NextApiRequest): RequestHead {
  return {
    method: req.method ?? "GET",
    // Only an error's log line reads it: not parsed on the hot path.
    get url() {
      return new URL(req.url ?? "/", "http://localhost").href;
    },
    headers: {
      get(name) {
        const v = req.headers[name.toLowerCase()];
        return Array.isArray(v) ? v.join(", ") : (v ?? null);
      },
    },
  };
}

async function send(res: NextApiResponse, response: Response | JsonAnswer, requestId: string): Promise<number> {
  if (!(response instanceof Response)) {
    res.statusCode = response.status ?? 200;
    res.setHeader("content-type", "application/json");
    res.setHeader("x-request-id", requestId);
    res.end(JSON.stringify(response.json));
    return res.statusCode;
  }
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.setHeader("x-request-id", requestId);
  res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
  return response.status;
}

export function pagesPollRoute<PS extends z.ZodType>(
  opts: { /** The contract's path template, for logs and metrics: /chat/[uuid]/messages */ route: string; params: PS },
  fn: (args: PollArgs<z.infer<PS>>) => Promise<Response | JsonAnswer>,
) {
  return async (req: NextApiRequest, res: NextApiResponse): Promise<void> => {
    const started = performance.now();
    const head = headOf(req);
    const context = { requestId: requestIdFor(head) };
    await withRequestContext(context, async () => {
      let response: Response | JsonAnswer;
      try {
        if (head.method !== "GET" && head.method !== "HEAD") {
          throw new AppError("method_not_allowed", `${head.method} is not allowed here; use GET.`);
        }
        const identity = await identified(head);
        // The poll's own query checks the account; the session (sign-out) is checked here, cached briefly.
        if (identity.via === "session" && !(identity.sid && (await sessionLive(identity.id, identity.sid)))) {
          throw new AppError("unauthorized", "Sign in to continue.");
        }
        const parsed = opts.params.safeParse(req.query);
        if (!parsed.success) throw validationError(parsed.error, "path");
        const query = (name: string) => {
          const v = req.query[name];
          return typeof v === "string" ? v : undefined;
        };
        response = await fn({ identity, params: parsed.data, htmx: head.headers.get("hx-request") === "true", query });
      } catch (err) {
        response = errorResponse(err, head);
      }
      if (response instanceof Response && response.status === 405) response.headers.set("allow", "GET, HEAD");
      const status = await send(res, response, context.requestId);
      recordRequest({ method: head.method, route: opts.route, status, started });
    });
  };
}
