import { route } from "@/lib/http/route";
import { defaultModelId, listModels } from "@/lib/models/registry";

export const dynamic = "force-dynamic";

/** The configured models: {models: [{id, label, provider, demo, input}], default}. */
export const GET = route({}, async () =>
  Response.json({ models: listModels().map(({ id, label, provider, demo, input }) => ({ id, label, provider, demo, input })), default: defaultModelId() }),
);
