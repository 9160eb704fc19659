/**
 * The tools a model may call: the built-ins (BUILTIN_TOOLS) and every configured MCP server's
 * (MCP_SERVERS), under names unique among them, each call bounded by TOOL_TIMEOUT_MS.
 * The generation runner asks loadTools() at the start of an answer and hands the tools to the
 * model; a server that cannot be reached is left out and named, never an error of the answer.
 */
import "server-only";
import { env, type McpServerConfig } from "../env";
import { formatDuration } from "../duration";
import { builtinTools } from "./builtin";
import { McpServer, uniqueToolName } from "./mcp";
import { ToolError, type AppTool, type ToolResult } from "./types";

export type { AppTool, ToolContext, ToolResult, ToolRunOptions } from "./types";
export { ToolError } from "./types";

interface Registry {
  /** The MCP_SERVERS value these servers were made from (a new one after a reset, in tests). */
  configs: readonly McpServerConfig[];
  servers: McpServer[];
}

// One client per server per process, whichever of Next's bundles (instrumentation, routes) asks.
const g = globalThis as unknown as { __pollchatTools?: Registry };

function registry(configs: readonly McpServerConfig[]): Registry {
  const current = g.__pollchatTools;
  if (current?.configs === configs) return current;
  if (current) void Promise.all(current.servers.map((s) => s.close()));
  g.__pollchatTools = { configs, servers: configs.map((c) => new McpServer(c)) };
  return g.__pollchatTools;
}

/** The tool, its run bounded by `ms` whether or not it heeds its signal. */
function bounded(tool: AppTool, ms: number): AppTool {
  return {
    ...tool,
    async run(input, opts): Promise<ToolResult> {
      opts.signal.throwIfAborted();
      const timeout = new AbortController();
      const signal = AbortSignal.any([opts.signal, timeout.signal]);
      let onAbort = () => {};
      const stopped = new Promise<never>((_, reject) => {
        onAbort = () => reject(opts.signal.aborted ? (opts.signal.reason as Error) : new ToolError(`${tool.name} did not finish within ${ms < 1_000 ? `${ms} ms` : formatDuration(ms / 1_000)} and was stopped.`));
        signal.addEventListener("abort", onAbort, { once: true });
      });
      const timer = setTimeout(() => timeout.abort(), ms);
      try {
        return await Promise.race([tool.run(input, { ...opts, signal }), stopped]);
      } finally {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
      }
    },
  };
}

/** The tools offered to a model now: built-ins plus every configured MCP server's; a server that cannot be reached is left out and named in `problems` (never throws). */
export async function loadTools(): Promise<{ tools: AppTool[]; problems: string[] }> {
  let e: ReturnType<typeof env>;
  try {
    e = env();
  } catch (err) {
    // The start reports a bad environment; an answer goes on without tools.
    return { tools: [], problems: [err instanceof Error ? err.message : String(err)] };
  }
  const tools = builtinTools(e.BUILTIN_TOOLS);
  const taken = new Set(tools.map((t) => t.name));
  const problems: string[] = [];
  const servers = registry(e.MCP_SERVERS).servers;
  const listed = await Promise.allSettled(servers.map((s) => s.tools()));
  listed.forEach((result) => {
    if (result.status === "rejected") problems.push(result.reason instanceof Error ? result.reason.message : String(result.reason));
    else for (const tool of result.value) tools.push({ ...tool, name: uniqueToolName(tool.name, taken) });
  });
  return { tools: tools.map((t) => bounded(t, e.TOOL_TIMEOUT_MS)), problems };
}

/** Close MCP connections (shutdown, tests). */
export async function closeTools(): Promise<void> {
  const current = g.__pollchatTools;
  g.__pollchatTools = undefined;
  await Promise.all((current?.servers ?? []).map((s) => s.close()));
}
