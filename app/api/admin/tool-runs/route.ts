import { adminRoute } from "@/lib/http/route";
import { listToolRunsDto } from "@/lib/admin/admin-actions";

export const dynamic = "force-dynamic";

/** Admins: the latest tool calls (tool, where it comes from, how it ended, how long, whose answer; never input or output). */
export const GET = adminRoute({}, async () => Response.json({ runs: await listToolRunsDto(100) }));
