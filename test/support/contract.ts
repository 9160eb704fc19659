/**
 * The contract checked against reality: every JSON response the integration tests receive is
 * validated against the app's own /api/openapi.json with ajv (JSON Schema 2020-12, the dialect
 * of OpenAPI 3.1). A response whose status the document does not list for its operation, or
 * whose body does not match the listed schema, throws, so drift between the document and the
 * code fails the test that met it.
 */
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

type Json = Record<string, unknown>;

interface Route {
  method: string;
  pattern: RegExp;
  /** Literal characters of the template: the most specific template wins. */
  weight: number;
  responses: Record<string, Json>;
}

interface Contract {
  routes: Route[];
  validators: Map<string, ValidateFunction>;
  ajv: Ajv2020;
}

const contracts = new Map<string, Promise<Contract>>();

async function load(baseUrl: string): Promise<Contract> {
  const res = await fetch(`${baseUrl}/api/openapi.json`);
  const doc = (await res.json()) as { paths: Record<string, Record<string, { responses: Record<string, Json> }>>; components: Json };
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  (addFormats as unknown as { default: (a: Ajv2020) => void }).default(ajv);
  ajv.addSchema({ $id: "openapi.json", components: doc.components }, "openapi.json");
  const routes: Route[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`);
    for (const [method, op] of Object.entries(item)) {
      if (!op || typeof op !== "object" || !("responses" in op)) continue;
      routes.push({ method: method.toUpperCase(), pattern, weight: template.replace(/\{[^}]+\}/g, "").length, responses: op.responses });
    }
  }
  routes.sort((a, b) => b.weight - a.weight);
  return { routes, validators: new Map(), ajv };
}

/** Rewrites local refs (#/components/...) to the registered document. */
function rebased(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebased);
  if (schema && typeof schema === "object") {
    const out: Json = {};
    for (const [k, v] of Object.entries(schema)) out[k] = k === "$ref" && typeof v === "string" && v.startsWith("#/") ? `openapi.json${v}` : rebased(v);
    return out;
  }
  return schema;
}

function resolve(contract: Contract, node: Json): Json {
  const ref = node.$ref;
  if (typeof ref !== "string") return node;
  const target = contract.ajv.getSchema("openapi.json")?.schema as Json;
  let cur: unknown = target;
  for (const part of ref.replace(/^#\//, "").split("/")) cur = (cur as Json)[part];
  return resolve(contract, cur as Json);
}

/** Throws when a JSON response does not match the contract. Non-JSON answers (pages, fragments, redirects) are not checked. */
export async function checkResponse(baseUrl: string, method: string, path: string, res: Response): Promise<void> {
  if (!(res.headers.get("content-type") ?? "").includes("application/json")) return;
  const pathname = new URL(path, baseUrl).pathname;
  if (pathname === "/api/openapi.json" || pathname.startsWith("/api/auth/")) return;
  let contract = contracts.get(baseUrl);
  if (!contract) {
    contract = load(baseUrl);
    contracts.set(baseUrl, contract);
  }
  const c = await contract;
  const route = c.routes.find((r) => (r.method === method || (method === "HEAD" && r.method === "GET")) && r.pattern.test(pathname));
  if (!route) return; // not an API route of the document (a path that does not exist: its 404 is the generic error)
  const described = route.responses[String(res.status)] ?? route.responses.default;
  if (!described) throw new Error(`contract: ${method} ${pathname} answered ${res.status}, which /api/openapi.json does not list (${Object.keys(route.responses).join(", ")})`);
  const schema = (resolve(c, described).content as Record<string, { schema?: Json }> | undefined)?.["application/json"]?.schema;
  if (!schema) return;
  const key = `${method} ${route.pattern.source} ${res.status}`;
  let validate = c.validators.get(key);
  if (!validate) {
    validate = c.ajv.compile(rebased(schema) as Json);
    c.validators.set(key, validate);
  }
  const body: unknown = await res.clone().json();
  if (!validate(body)) {
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`).join("; ");
    throw new Error(`contract: ${method} ${pathname} ${res.status} does not match /api/openapi.json: ${errors}\nbody: ${JSON.stringify(body).slice(0, 500)}`);
  }
}

/**
 * `fetch` for tests that talk to an app server without a test client (an operator's probe, a
 * bearer token, a server of their own): the same check of the answer against the contract.
 */
export async function checkedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, init);
  const { origin, pathname, search } = new URL(url);
  await checkResponse(origin, (init.method ?? "GET").toUpperCase(), `${pathname}${search}`, res);
  return res;
}
