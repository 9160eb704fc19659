/**
 * What a tool is to the generation runner, wherever it comes from (built in, or an MCP server's):
 * a name the model calls it by, a schema for its input, and a run that answers or throws a
 * ToolError whose message a person (and the model) can read.
 */
import type { FlexibleSchema } from "ai";

export interface ToolResult {
  output: unknown;
  /** Web pages the result came from (an MCP server's resource links), shown with the answer. */
  sources?: { url: string; title?: string }[];
}

export interface ToolRunOptions {
  signal: AbortSignal;
  /** The user's IANA time zone, when the app knows it. */
  timeZone?: string;
}

export interface AppTool {
  /** As the model sees it: built-in names as they are; an MCP server's tools `<server>_<tool>`, /^[a-zA-Z0-9_-]{1,64}$/, unique. */
  name: string;
  /** "builtin", or the MCP server's configured name. */
  source: string;
  description: string;
  inputSchema: FlexibleSchema<unknown>;
  /** The call waits for a member's approval before it runs. */
  needsApproval: boolean;
  run(input: unknown, opts: ToolRunOptions): Promise<ToolResult>;
}

export interface ToolContext {
  timeZone?: string;
}

/** A tool's own failure (bad input, the server said no, too slow): its message is for people. */
export class ToolError extends Error {
  override name = "ToolError";
}
