// TEMPORARY interface stub: replaced by the tools work (branch wt-tools) at merge.
import "server-only";
import type { FlexibleSchema } from "ai";
export interface ToolResult { output: unknown; sources?: { url: string; title?: string }[] }
export interface AppTool {
  name: string;
  source: string;
  description: string;
  inputSchema: FlexibleSchema<unknown>;
  needsApproval: boolean;
  run(input: unknown, opts: { signal: AbortSignal; timeZone?: string }): Promise<ToolResult>;
}
export async function loadTools(): Promise<{ tools: AppTool[]; problems: string[] }> {
  return { tools: [], problems: [] };
}
export async function closeTools(): Promise<void> {}
