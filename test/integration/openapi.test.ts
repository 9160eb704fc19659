/**
 * GET /api/openapi.json: a valid OpenAPI 3.1 document (checked against the specification's
 * schema by @seriousme/openapi-schema-validator) that describes every API route under app/
 * (test/support/app-routes.ts: method and path template), and nothing that is no route. Pages,
 * the htmx page and its script are not API; Auth.js's catch-all is documented by the paths the
 * README documents. Real answers carry the keys their schemas name.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Validator } from "@seriousme/openapi-schema-validator";
import { appRoutes } from "../support/app-routes.ts";
import { anonymous, signUp, type TestClient } from "../support/client.ts";
import { json } from "../support/chat.ts";
import { makeIds, ROUTES, type Ids } from "./route-table.ts";
import { sharedBaseUrl } from "../support/context.ts";

const baseUrl = sharedBaseUrl();
const NOT_API = new Set(["page", "owner-page", "public-page", "static"]);
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

type Json = Record<string, unknown>;
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; parameters: Record<string, Json>; responses: Record<string, Json>; securitySchemes: Record<string, Json> };
  security: Record<string, string[]>[];
}

let doc: Doc;
let raw: string;

beforeAll(async () => {
  const res = await anonymous(baseUrl).get("/api/openapi.json");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  raw = await res.text();
  doc = JSON.parse(raw) as Doc;
});

/** /chat/[uuid]/messages -> /chat/{uuid}/messages */
const openApiPath = (template: string) => template.replace(/\[([^\].]+)\]/g, "{$1}");

/** Every value of `$ref` anywhere in the document. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refs(n, out);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function resolve(ref: string): Json {
  const [, ...parts] = ref.split("/");
  let node: unknown = doc;
  for (const p of parts) node = (node as Json | undefined)?.[p];
  if (!node) throw new Error(`unresolved $ref ${ref}`);
  return node as Json;
}

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(raw) as Record<string, unknown>);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)?.slice(0, 3000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    for (const ref of refs(doc)) expect(() => resolve(ref), ref).not.toThrow();
  });

  it("describes every API route under app/, by method and path", () => {
    const missing: string[] = [];
    for (const r of appRoutes()) {
      const access = ROUTES[r.key]?.access;
      if (r.kind === "page" || !access || NOT_API.has(access)) continue;
      const method = r.method.toLowerCase();
      if (r.template.includes("[...")) {
        // A catch-all (Auth.js): at least one path under it is described for each method.
        const prefix = r.template.slice(0, r.template.indexOf("[..."));
        if (!Object.entries(doc.paths).some(([p, item]) => p.startsWith(prefix) && item[method])) missing.push(r.key);
        continue;
      }
      if (!doc.paths[openApiPath(r.template)]?.[method]) missing.push(`${r.key} (${r.file})`);
    }
    expect(missing, "routes missing from lib/openapi").toEqual([]);
  });

  it("describes no route that does not exist", () => {
    const routes = appRoutes().filter((r) => r.kind === "route");
    const catchAlls = routes.filter((r) => r.template.includes("[...")).map((r) => ({ prefix: r.template.slice(0, r.template.indexOf("[...")), method: r.method.toLowerCase() }));
    const stale: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS.filter((m) => item[m])) {
        const real = routes.some((r) => openApiPath(r.template) === path && r.method.toLowerCase() === method);
        const caught = catchAlls.some((c) => path.startsWith(c.prefix) && c.method === method);
        if (!real && !caught) stale.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(stale).toEqual([]);
  });

  it("declares every path parameter, a summary and the error shape on each operation", () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const method of METHODS.filter((m) => item[m])) {
        const op = item[method] as { summary?: string; parameters?: Json[]; responses: Record<string, Json> };
        const what = `${method.toUpperCase()} ${path}`;
        expect(op.summary, what).toBeTruthy();
        const declared = (op.parameters ?? []).map((p) => (p.$ref ? resolve(p.$ref as string) : p)).filter((p) => p.in === "path").map((p) => p.name);
        expect(declared.sort(), what).toEqual([...names].sort());
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400 || (status === "503" && path === "/api/ready")) continue;
          expect(response.$ref, `${what} ${status}`).toMatch(/^#\/components\/responses\/Error\d+$/);
        }
      }
    }
  });

  it("offers the session cookie and a bearer token on every signed-in endpoint, none on the public ones", () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["bearerToken", "operatorToken", "sessionCookie"]);
    expect(doc.security).toEqual([{ sessionCookie: [] }, { bearerToken: [] }]);
    for (const r of appRoutes().filter((x) => x.kind === "route" && !x.template.includes("[..."))) {
      const op = doc.paths[openApiPath(r.template)]?.[r.method.toLowerCase()] as { security?: unknown[] } | undefined;
      const access = ROUTES[r.key]?.access;
      if (!op || !access) continue;
      if (access === "owner" || access === "user") expect(op.security, r.key).toBeUndefined();
      if (access === "public" || access === "share") expect(op.security, r.key).toEqual([]);
      if (access === "ops-token") expect(op.security, r.key).toEqual([{ operatorToken: [] }]);
    }
  });
});

describe("real answers match their schemas", () => {
  let owner: TestClient;
  let ids: Ids;
  beforeAll(async () => {
    owner = await signUp(baseUrl);
    ids = await makeIds(owner);
  });

  /** The keys of `value` are within the schema's properties and include its required ones, recursively through $refs and arrays. */
  function expectShape(value: unknown, schema: Json, where: string) {
    if (schema.$ref) return expectShape(value, resolve(schema.$ref as string), where);
    if (schema.oneOf) {
      if (value === null) return;
      return expectShape(value, (schema.oneOf as Json[])[0]!, where);
    }
    if (schema.type === "array" && Array.isArray(value)) {
      for (const [i, v] of value.entries()) expectShape(v, schema.items as Json, `${where}[${i}]`);
      return;
    }
    if (schema.type !== "object" || !schema.properties) return;
    expect(typeof value, where).toBe("object");
    const keys = Object.keys(value as Json);
    const properties = schema.properties as Record<string, Json>;
    for (const k of (schema.required as string[] | undefined) ?? []) expect(keys, `${where} lacks ${k}`).toContain(k);
    if (schema.additionalProperties === false) for (const k of keys) expect(Object.keys(properties), `${where} has undocumented ${k}`).toContain(k);
    for (const k of keys) if (properties[k]) expectShape((value as Json)[k], properties[k], `${where}.${k}`);
  }

  const cases: [string, string, (ids: Ids) => string, boolean][] = [
    ["/chat/{uuid}/messages", "get", (i) => `/chat/${i.chat}/messages`, true],
    ["/chat/message/{uuid}/tokens/{position}", "get", (i) => `/chat/message/${i.message}/tokens/0`, true],
    ["/chat/list", "get", () => "/chat/list", true],
    ["/api/chats/{uuid}/share", "get", (i) => `/api/chats/${i.chat}/share`, true],
    ["/api/share/{uuid}/messages", "get", (i) => `/api/share/${i.share}/messages`, false],
    ["/api/share/{uuid}/tokens/{message_uuid}/{position}", "get", (i) => `/api/share/${i.share}/tokens/${i.message}/0`, false],
    ["/api/tokens", "get", () => "/api/tokens", true],
    ["/api/export", "get", () => "/api/export", true],
    ["/api/models", "get", () => "/api/models", true],
    ["/api/agents", "get", () => "/api/agents", true],
    ["/chat/{uuid}/messages/{last_uuid}", "get", (i) => `/chat/${i.chat}/messages/${i.message}`, true],
    ["/api/chats/{uuid}/members", "get", (i) => `/api/chats/${i.chat}/members`, true],
    ["/api/account/usage", "get", () => "/api/account/usage", true],
  ];
  it.each(cases)("%s", async (path, method, url, signedIn) => {
    const client = signedIn ? owner : anonymous(baseUrl);
    const body = await json<unknown>(await client.get(url(ids)), 200);
    const op = doc.paths[path]![method] as { responses: Record<string, { content: Record<string, { schema: Json }> }> };
    expectShape(body, op.responses["200"]!.content["application/json"]!.schema, path);
  });

  it("an error answer", async () => {
    const res = await owner.get(`/chat/${ids.chat}/messages/not-a-uuid`);
    expectShape(await json<unknown>(res, 400), doc.components.schemas.Error!, "Error");
  });
});
