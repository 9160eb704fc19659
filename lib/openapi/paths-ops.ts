/** Accounts (sign-up, the Auth.js endpoints the README documents) and operations. */
import { OPERATOR, PUBLIC, errors, fromZod, json, jsonBody, object, ref, type Paths, type Schema } from "./build";
import { registerBody } from "../auth/register";
import { forgotBody, resetBody } from "../auth/email-links";
import { z } from "zod";

const redirect = (description: string): Schema => ({ description, headers: { Location: { schema: { type: "string" } } } });
const authForm = (properties: Record<string, Schema>): Schema => ({
  required: true,
  content: { "application/x-www-form-urlencoded": { schema: object({ csrfToken: { type: "string", description: "From GET /api/auth/csrf (with its cookie)." }, ...properties }) } },
});
const tags = ["Accounts"];

export const opsPaths: Paths = {
  "/api/register": {
    post: {
      operationId: "register",
      summary: "Create an email and password account",
      tags,
      security: PUBLIC,
      requestBody: jsonBody(fromZod(registerBody), { form: true }),
      responses: {
        "201": json(
          "The account, its address not verified yet: a link to verify it was mailed (`verification.devLink` is that link, in development without SMTP).",
          object({ user: ref("User"), verification: object({ sent: { type: "boolean" }, devLink: { type: "string" } }, ["sent"]) }),
        ),
        ...errors(400, 403, 409, 413, 415, 429, 503),
      },
    },
  },
  "/api/verify-email": {
    post: {
      operationId: "verifyEmail",
      summary: "Follow a verification link: its token verifies the address (once)",
      tags,
      security: PUBLIC,
      requestBody: jsonBody(fromZod(z.object({ token: z.string().max(200) }))),
      responses: { "200": json("Verified.", object({ verified: { const: true } })), ...errors(400, 403, 404, 413, 415, 503) },
    },
  },
  "/api/account/verify-email": {
    post: {
      operationId: "resendVerification",
      summary: "Mail me a new verification link",
      tags,
      responses: {
        "202": json("Sent (in development without SMTP, `devLink` is the link).", object({ sent: { const: true }, devLink: { type: "string" } }, ["sent"])),
        ...errors(400, 401, 403, 409, 429, 503),
      },
    },
  },
  "/api/account/sessions": {
    delete: {
      operationId: "signOutEverywhere",
      summary: "Sign out everywhere: end every session of my account (API tokens stay)",
      tags,
      responses: { "200": json("Ended.", object({ ended: { type: "integer", minimum: 0 } })), ...errors(401, 403, 503) },
    },
  },
  "/api/password/forgot": {
    post: {
      operationId: "forgotPassword",
      summary: "Mail a one-time link (valid one hour) to choose a new password",
      description: "The same answer whether or not an account uses the address.",
      tags,
      security: PUBLIC,
      requestBody: jsonBody(fromZod(forgotBody)),
      responses: { "202": json("Sent, if an account uses the address.", object({ sent: { const: true }, devLink: { type: "string" } }, ["sent"])), ...errors(400, 403, 413, 415, 429, 503) },
    },
  },
  "/api/password/reset": {
    post: {
      operationId: "resetPassword",
      summary: "Set a new password with a reset link's token (once); every session of the account ends",
      tags,
      security: PUBLIC,
      requestBody: jsonBody(fromZod(resetBody)),
      responses: { "200": json("Changed.", object({ reset: { const: true } })), ...errors(400, 403, 404, 413, 415, 429, 503) },
    },
  },
  "/api/auth/csrf": {
    get: {
      operationId: "authCsrf",
      summary: "Auth.js: a CSRF token (and its cookie) for the sign-in and sign-out forms",
      tags,
      security: PUBLIC,
      responses: { "200": json("The token.", object({ csrfToken: { type: "string" } })) },
    },
  },
  "/api/auth/callback/credentials": {
    post: {
      operationId: "signIn",
      summary: "Auth.js: sign in with email and password (sets the session cookie)",
      description: "A refused sign-in redirects to /signin?error=CredentialsSignin&code=invalid_login, or code=rate_limited while the account or address is locked.",
      tags,
      security: PUBLIC,
      requestBody: authForm({ email: { type: "string" }, password: { type: "string" } }),
      responses: { "302": redirect("Signed in (to the callback URL), or refused (to /signin?error=…)."), ...errors(400, 413) },
    },
  },
  "/api/auth/signout": {
    post: {
      operationId: "signOut",
      summary: "Auth.js: sign out (clears the session cookie)",
      tags,
      security: PUBLIC,
      requestBody: authForm({}),
      responses: { "302": redirect("Signed out."), ...errors(400, 413) },
    },
  },
  "/api/health": {
    get: {
      operationId: "health",
      summary: "Liveness, after a real query",
      tags: ["Operations"],
      security: PUBLIC,
      responses: { "200": json("Alive.", object({ ok: { const: true }, db: { enum: ["pglite", "postgres"] } })), ...errors(503) },
    },
  },
  "/api/ready": {
    get: {
      operationId: "ready",
      summary: "Readiness: the database answers and every migration is applied",
      tags: ["Operations"],
      security: PUBLIC,
      responses: {
        "200": json("Ready.", object({ ready: { const: true }, db: { enum: ["pglite", "postgres"] }, migrations: { type: "integer" } })),
        "503": json("Not ready (with Retry-After).", object({ ready: { const: false }, error: object({ code: { type: "string" }, message: { type: "string" } }) })),
      },
    },
  },
  "/api/metrics": {
    get: {
      operationId: "metrics",
      summary: "This process's metrics, Prometheus text format",
      description: "Only with METRICS_TOKEN set (else 404).",
      tags: ["Operations"],
      security: OPERATOR,
      responses: { "200": { description: "Metrics.", content: { "text/plain": { schema: { type: "string" } } } }, ...errors(401, 404) },
    },
  },
  "/api/ops/invariants": {
    get: {
      operationId: "invariants",
      summary: "The database's invariants, checked in one snapshot",
      description: "Only with OPS_TOKEN set (else 404). Ids of rows, never message text.",
      tags: ["Operations"],
      security: OPERATOR,
      parameters: [{ name: "leaseGraceMs", in: "query", description: "Also apply the liveness rules with this grace.", schema: { type: "integer", minimum: 0, maximum: 86_400_000 } }],
      responses: {
        "200": json(
          "The violations, if any.",
          object({ ok: { type: "boolean" }, violations: { type: "array", items: object({ kind: { type: "string" }, ids: { type: "object", additionalProperties: { type: "string" } }, detail: { type: "string" } }) } }),
        ),
        ...errors(400, 401, 404, 503),
      },
    },
  },
  "/api/bench/empty": {
    get: {
      operationId: "benchEmpty",
      summary: "Benchmark baseline: a route handler doing nothing",
      tags: ["Operations"],
      security: PUBLIC,
      responses: { "200": json("Nothing.", object({})) },
    },
  },
  "/api/bench/session": {
    get: {
      operationId: "benchSession",
      summary: "Benchmark baseline: the guard alone, signed in",
      tags: ["Operations"],
      responses: { "200": json("The caller's user id.", object({ id: { type: "string" } })), ...errors(401, 403) },
    },
  },
  "/api/openapi.json": {
    get: {
      operationId: "openapi",
      summary: "This document",
      tags: ["Operations"],
      security: PUBLIC,
      responses: { "200": json("OpenAPI 3.1.", { type: "object" }) },
    },
  },
};
