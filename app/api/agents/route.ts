import { route } from "@/lib/http/route";
import { AGENTS } from "@/lib/models/agents";

export const dynamic = "force-dynamic";

/** The agents a chat can start with: {agents: [{id, name, description, greeting?}]}. */
export const GET = route({}, async () =>
  Response.json({ agents: AGENTS.map(({ id, name, description, greeting }) => ({ id, name, description, ...(greeting ? { greeting } : {}) })) }),
);
