/**
 * The OpenAPI 3.1 document of every API route (GET /api/openapi.json). One module per area:
 * add a route, add it there; test/integration/openapi.test.ts fails for a route under app/
 * that is not in here (and for a path in here that is no route).
 */
import { chatPaths } from "./paths-chat";
import { dataPaths } from "./paths-data";
import { opsPaths } from "./paths-ops";
import { sharePaths } from "./paths-share";
import { peoplePaths } from "./paths-people";
import { accountPaths } from "./paths-accounts";
import { filePaths } from "./paths-files";
import { parameters, responses, schemas, securitySchemes } from "./components";
import type { Paths, Schema } from "./build";

const AREAS: Paths[] = [chatPaths, filePaths, peoplePaths, sharePaths, dataPaths, accountPaths, opsPaths];

function mergedPaths(): Paths {
  const out: Paths = {};
  for (const area of AREAS) {
    for (const [path, item] of Object.entries(area)) {
      if (out[path]) throw new Error(`OpenAPI: ${path} is described twice`);
      out[path] = item;
    }
  }
  return out;
}

let built: Schema | undefined;

export function openApiDocument(): Schema {
  built ??= {
    openapi: "3.1.0",
    info: {
      title: "PollChat API",
      version: "1",
      description:
        "AI chat over plain HTTP polling. Every endpoint takes the session cookie or `Authorization: Bearer <API token>`, unless it says otherwise. Errors are `{\"error\": {code, message}}`. A chat or message of a chat you are not a member of answers 404, like a missing one; a viewer who writes gets 403. Unsafe methods refuse cross-site browser requests (403).",
    },
    // Relative: the document describes whichever host serves it.
    servers: [{ url: "/", description: "This server" }],
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    security: [{ sessionCookie: [] }, { bearerToken: [] }],
    tags: ["Chats", "Files", "Models", "Collaboration", "Sharing", "Export and import", "API tokens", "Accounts", "Admin", "Operations"].map((name) => ({ name })),
    paths: mergedPaths(),
    components: { schemas, parameters, responses, securitySchemes },
  };
  return built;
}
