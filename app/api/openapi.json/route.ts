import { publicRoute } from "@/lib/http/route";
import { openApiDocument } from "@/lib/openapi/document";

export const dynamic = "force-dynamic";

/** The OpenAPI 3.1 document of the API (public). */
export const GET = publicRoute({}, async () =>
  Response.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300", "access-control-allow-origin": "*" } }),
);
