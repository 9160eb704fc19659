/**
 * Small builders for the OpenAPI 3.1 document, so each area's file (paths-*.ts) reads like the
 * README's API table: a path, a method, what it takes, what it answers. Schemas are JSON Schema
 * 2020-12 (what OpenAPI 3.1 uses); those of request bodies that a zod schema validates are
 * generated from it (z.toJSONSchema), so the document and the validation cannot disagree.
 */
import { z } from "zod";

export type Schema = Record<string, unknown>;

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security?: Record<string, string[]>[];
  parameters?: Schema[];
  requestBody?: Schema;
  responses: Record<string, Schema>;
}

export type PathItem = Partial<Record<"get" | "post" | "put" | "patch" | "delete", Operation>> & { parameters?: Schema[] };
export type Paths = Record<string, PathItem>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
export const param = (name: string): Schema => ({ $ref: `#/components/parameters/${name}` });

/** JSON Schema of what a zod schema accepts (its input: defaults optional, before transforms). */
export function fromZod(schema: z.ZodType): Schema {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Schema;
  delete json.$schema;
  return json;
}

export function jsonBody(schema: Schema, opts: { form?: boolean; required?: boolean } = {}): Schema {
  return {
    required: opts.required ?? true,
    content: {
      "application/json": { schema },
      // HTML and htmx forms post the same fields url-encoded.
      ...(opts.form ? { "application/x-www-form-urlencoded": { schema } } : {}),
    },
  };
}

export function json(description: string, schema: Schema, headers?: Schema): Schema {
  return { description, content: { "application/json": { schema } }, ...(headers ? { headers } : {}) };
}

/** A JSON answer that htmx clients (`HX-Request: true`) get as an HTML fragment instead. */
export function jsonOrFragment(description: string, schema: Schema): Schema {
  return { description, content: { "application/json": { schema }, "text/html": { schema: { type: "string" } } } };
}

export function object(properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema {
  return { type: "object", properties, required, additionalProperties: false };
}

/** The documented error answers by status (components.responses). */
export function errors(...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503)[]): Record<string, Schema> {
  return Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/Error${s}` }]));
}

/** Who may call: a signed-in user by session cookie or API token (the default), anyone, or an operator. */
export const PUBLIC: Record<string, string[]>[] = [];
export const OPERATOR: Record<string, string[]>[] = [{ operatorToken: [] }];
