/**
 * The guard every route handler goes through: it authenticates, refuses cross-site POSTs,
 * validates path params and body with zod (400 before any database work), and turns every
 * thrown error into the documented JSON error. A handler cannot forget any of it. It also
 * gives each request an id (`x-request-id`, echoed) carried by every log line of the request,
 * logs one line per request and counts it in the metrics.
 */
import type { z } from "zod";
import { AppError, notFound } from "../errors";
import { activeAccount, identify, type Identity, type SessionUser } from "../auth/identity";
import { readBody, DEFAULT_MAX_BODY_BYTES } from "./body";
import { assertSameOrigin } from "./origin";
import { isDatabaseDown } from "./db-errors";
import { log, requestContext, requestIdFor, withRequestContext } from "../log";
import { metrics, routeTemplate } from "../metrics";
import type { RequestHead } from "./request-head";
import { sync as syncChanges } from "../changes/feed";

/** Methods that change nothing: no same-origin check, nothing for the change feed to wait for. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

interface Options<PS extends z.ZodType, BS extends z.ZodType | undefined> {
  params?: PS;
  body?: BS;
  maxBodyBytes?: number;
}

export interface Args<P, B> {
  req: Request;
  params: P;
  body: B;
  /** The request came from htmx (`HX-Request: true`): answer an HTML fragment. */
  htmx: boolean;
}

type Inferred<S> = S extends z.ZodType ? z.infer<S> : undefined;

export function validationError(error: z.ZodError, where: string): AppError {
  const first = error.issues[0];
  const path = first?.path.length ? first.path.join(".") : where;
  return new AppError("validation_error", `Invalid ${path}: ${first?.message ?? "malformed"}.`, {
    details: error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
  });
}

async function parseArgs<PS extends z.ZodType, BS extends z.ZodType | undefined>(
  req: Request,
  ctx: RouteContext | undefined,
  opts: Options<PS, BS>,
): Promise<Args<Inferred<PS>, Inferred<BS>>> {
  if (!SAFE_METHODS.has(req.method.toUpperCase())) assertSameOrigin(req);
  const rawParams = ctx ? await ctx.params : {};
  let params: unknown = rawParams;
  if (opts.params) {
    const parsed = opts.params.safeParse(rawParams);
    if (!parsed.success) throw validationError(parsed.error, "path");
    params = parsed.data;
  }
  let body: unknown = undefined;
  if (opts.body) {
    const raw = await readBody(req, opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    const parsed = opts.body.safeParse(raw);
    if (!parsed.success) throw validationError(parsed.error, "body");
    body = parsed.data;
  }
  return {
    req,
    params: params as Inferred<PS>,
    body: body as Inferred<BS>,
    htmx: req.headers.get("hx-request") === "true",
  };
}

export function errorResponse(err: unknown, req: RequestHead): Response {
  if (err instanceof AppError) return err.toResponse();
  if (isDatabaseDown(err)) {
    log().error({ err, method: req.method, path: new URL(req.url).pathname }, "database unavailable");
    return new AppError("service_unavailable", "The database is unavailable right now. Try again in a moment.", {
      retryAfter: 2,
    }).toResponse();
  }
  log().error({ err, method: req.method, path: new URL(req.url).pathname }, "unhandled error");
  return new AppError("internal_error", "Something went wrong on our side. Try again.").toResponse();
}

function withRequestId(res: Response, requestId: string): Response {
  try {
    res.headers.set("x-request-id", requestId);
    return res;
  } catch {
    // Immutable headers (a redirect): copy the response.
    const copy = new Response(res.body, res);
    copy.headers.set("x-request-id", requestId);
    return copy;
  }
}

/**
 * Runs a handler inside its request context, then echoes the request id, logs one line and
 * counts the request. Successful reads are logged at `debug` (polls come every 300 ms).
 */
function observed(handle: (req: Request, ctx?: RouteContext) => Promise<Response>) {
  return (req: Request, ctx?: RouteContext): Promise<Response> => {
    const started = performance.now();
    const context = { requestId: requestIdFor(req) };
    return withRequestContext(context, async () => {
      const res = await handle(req, ctx);
      // Read your own writes: the polls' caches of this process have heard of this request's
      // changes before its answer leaves (lib/changes/feed.ts). A refused request wrote nothing.
      if (res.status < 400 && !SAFE_METHODS.has(req.method.toUpperCase())) await syncChanges();
      let routeName = new URL(req.url).pathname;
      try {
        routeName = routeTemplate(routeName, ctx ? await ctx.params : {});
      } catch {
        // params that failed to resolve: keep the path
      }
      recordRequest({ method: req.method, route: routeName, status: res.status, started });
      return withRequestId(res, context.requestId);
    });
  };
}

/** Counts a request in the metrics and logs its line (successful reads at `debug`: polls come every 300 ms). */
export function recordRequest(input: { method: string; route: string; status: number; started: number }): void {
  const seconds = (performance.now() - input.started) / 1000;
  const method = input.method.toUpperCase();
  metrics.request({ route: input.route, method, status: input.status, seconds });
  const line = { method, route: input.route, status: input.status, ms: Math.round(seconds * 10_000) / 10 };
  if (input.status >= 500) log().error(line, "request");
  else if (method === "GET" && input.status < 400) log().debug(line, "request");
  else log().info(line, "request");
}

export async function identified(req: RequestHead): Promise<Identity> {
  const identity = await identify(req);
  if (!identity) throw new AppError("unauthorized", "Sign in to continue.");
  const context = requestContext();
  if (context) context.userId = identity.id;
  return identity;
}

/**
 * A handler for a signed-in user (session cookie or API token) whose account is active. No
 * session answers 401 JSON (never a redirect); a disabled account 403 account_disabled.
 */
export function route<PS extends z.ZodType = z.ZodType<Record<string, never>>, BS extends z.ZodType | undefined = undefined>(
  opts: Options<PS, BS>,
  fn: (args: Args<Inferred<PS>, Inferred<BS>> & { user: SessionUser }) => Promise<Response>,
) {
  return observed(async (req, ctx) => {
    try {
      const user = await activeAccount(await identified(req));
      const args = await parseArgs(req, ctx, opts);
      return await fn({ ...args, user });
    } catch (err) {
      return errorResponse(err, req);
    }
  });
}

/** A handler that needs no session (sign-up, health). */
export function publicRoute<PS extends z.ZodType = z.ZodType<Record<string, never>>, BS extends z.ZodType | undefined = undefined>(
  opts: Options<PS, BS>,
  fn: (args: Args<Inferred<PS>, Inferred<BS>>) => Promise<Response>,
) {
  return observed(async (req, ctx) => {
    try {
      return await fn(await parseArgs(req, ctx, opts));
    } catch (err) {
      return errorResponse(err, req);
    }
  });
}

/**
 * A handler for admins only (lib/auth/roles.ts). No session answers 401 like every API route;
 * a signed-in user who is not an admin gets 404, exactly as for a path that does not exist,
 * before their input is even looked at, so the admin API does not announce itself. A
 * cross-site request is refused (403) first, whoever sends it.
 */
export function adminRoute<PS extends z.ZodType = z.ZodType<Record<string, never>>, BS extends z.ZodType | undefined = undefined>(
  opts: Options<PS, BS>,
  fn: (args: Args<Inferred<PS>, Inferred<BS>> & { user: SessionUser }) => Promise<Response>,
) {
  return observed(async (req, ctx) => {
    try {
      const user = await activeAccount(await identified(req));
      if (!SAFE_METHODS.has(req.method.toUpperCase())) assertSameOrigin(req);
      if (user.role !== "admin") throw notFound();
      const args = await parseArgs(req, ctx, opts);
      return await fn({ ...args, user });
    } catch (err) {
      return errorResponse(err, req);
    }
  });
}

/**
 * A public read that anyone with a link may make (the share polls): no session, never cached
 * (a link made private answers 404 at once), and readable from any site, since it carries no
 * credentials and says nothing the link does not already open. Errors carry the same headers.
 */
export function publicReadRoute<PS extends z.ZodType>(opts: Options<PS, undefined>, fn: (args: Args<Inferred<PS>, undefined>) => Promise<Response>) {
  const handle = publicRoute(opts, fn);
  return async (req: Request, ctx?: RouteContext): Promise<Response> => {
    const res = await handle(req, ctx);
    res.headers.set("cache-control", "no-store");
    res.headers.set("access-control-allow-origin", "*");
    return res;
  };
}
