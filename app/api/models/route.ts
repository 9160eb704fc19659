import { route } from "@/lib/http/route";
import { defaultModelId, listModels } from "@/lib/models/registry";

export const dynamic = "force-dynamic";

/** The configured models: {models: [{id, label, provider, demo}], default}. */
export const GET = route({}, async () =>
  Response.json({ models: listModels().map(({ id, label, provider, demo }) => ({ id, label, provider, demo })), default: defaultModelId() }),
);
