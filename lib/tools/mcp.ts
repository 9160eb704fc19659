/**
 * The operator's MCP servers (MCP_SERVERS) as tools: one client per server per process,
 * connected on first use, its tool list kept for a minute. A server that fails (its child
 * exited, its connection was refused) is connected again on the next use; every attempt is
 * bounded, so a dead server costs an answer at most CONNECT_TIMEOUT_MS and never blocks it.
 *
 * Tool inputs and outputs are message text: never logged. Server names and errors are.
 */
import "server-only";
import { createMCPClient, MCPClientError, type CallToolResult, type ListToolsResult, type MCPClient } from "@ai-sdk/mcp";
import { StdioMCPTransport } from "@ai-sdk/mcp/mcp-stdio";
import { jsonSchema, type JSONSchema7 } from "ai";
import { env, type McpServerConfig } from "../env";
import { log, logPrompts, serializeError } from "../log";
import { ToolError, type AppTool, type ToolResult } from "./types";

/** Starting a server (or reaching it) and listing its tools, together. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** MCP_CONNECT_TIMEOUT_MS (default CONNECT_TIMEOUT_MS): a cold stdio child on a loaded machine may need more. */
const connectTimeoutMs = (): number => env().MCP_CONNECT_TIMEOUT_MS;
/** How long a server's tool list is used before it is asked again. */
export const TOOL_LIST_TTL_MS = 60_000;
const MAX_TOOL_PAGES = 20;

/** One connection; `broken` once it is known dead, so the next use makes another. */
interface Connection {
  client: MCPClient;
  broken: boolean;
}

type ToolDefinition = ListToolsResult["tools"][number];

/** `<server>_<tool>` as providers accept tool names: /^[a-zA-Z0-9_-]{1,64}$/ (made unique by the caller). */
export function modelToolName(server: string, tool: string): string {
  return `${server}_${tool}`.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);
}

/** `base`, or `base_2`, `base_3`... within 64 characters: the first not in `taken`, which gets it. */
export function uniqueToolName(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base.slice(0, 64 - `_${n}`.length)}_${n}`;
  taken.add(name);
  return name;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/**
 * A tools/call result as the runner takes it: the structured content when there is some, else
 * the text parts joined; resource links and resources on the web become sources. `isError` is
 * the tool's own failure: thrown, with its text.
 */
export function toToolResult(result: CallToolResult): ToolResult {
  // Servers of the 2024-10-07 protocol answer { toolResult }.
  if (!("content" in result) && "toolResult" in result) return { output: result.toolResult };
  const texts: string[] = [];
  const sources = new Map<string, { url: string; title?: string }>();
  const addSource = (uri: unknown, title: unknown) => {
    const url = str(uri);
    if (!url || !/^https?:\/\//i.test(url) || sources.has(url)) return;
    const t = str(title);
    sources.set(url, t ? { url, title: t } : { url });
  };
  for (const part of (result.content ?? []) as unknown[]) {
    if (!isRecord(part)) continue;
    if (part.type === "text" && typeof part.text === "string") texts.push(part.text);
    else if (part.type === "resource_link") addSource(part.uri, part.title ?? part.name);
    else if (part.type === "resource" && isRecord(part.resource)) addSource(part.resource.uri, part.resource.title ?? part.resource.name);
  }
  const text = texts.join("\n");
  if (result.isError) throw new ToolError(text.trim() || "The tool failed without saying why.");
  const output = result.structuredContent !== undefined && result.structuredContent !== null ? result.structuredContent : text;
  return sources.size ? { output, sources: [...sources.values()] } : { output };
}

/** Why a connection failed, in words for the operator (and `problems`). */
function reason(err: unknown, config: McpServerConfig): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof Error && isRecord(err.cause) ? str(err.cause.code) : isRecord(err) ? str(err.code) : undefined;
  if (/timed out/i.test(message)) return `it did not answer within ${connectTimeoutMs() / 1000} s`;
  if (code === "ECONNREFUSED") return "the connection was refused (is it running?)";
  if (code === "ENOENT" && "command" in config) return `the command "${config.command}" was not found`;
  if (/closed client|connection closed/i.test(message)) return "command" in config ? "the command exited before it answered" : "the connection closed";
  return message;
}

/** What kind of failure, without its message: `{ type: "TypeError", cause: "ECONNREFUSED" }`, `{ type: "MCPClientError", statusCode: 502 }`. */
function errorKind(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const statusCode = isRecord(err) && typeof err.statusCode === "number" ? err.statusCode : undefined;
  const cause = isRecord(err.cause) ? str(err.cause.code) : undefined;
  return { type: err.name, ...(statusCode ? { statusCode } : {}), ...(cause ? { cause } : {}) };
}

/** A failure of the connection rather than an answer: the next use connects again. */
function isConnectionFailure(err: unknown): boolean {
  return !(err instanceof MCPClientError && err.code !== undefined);
}

type HttpConfig = Extract<McpServerConfig, { url: string }>;

export class McpServer {
  private connection?: Connection;
  private connecting?: Promise<Connection>;
  private listed?: { at: number; tools: AppTool[]; connection: Connection };
  private listing?: Promise<AppTool[]>;
  private closed = false;

  constructor(readonly config: McpServerConfig) {}

  get name(): string {
    return this.config.name;
  }

  /** The server's tools (allow-listed); concurrent callers share one attempt. Throws when it cannot be reached. */
  tools(): Promise<AppTool[]> {
    const listed = this.listed;
    if (listed && !listed.connection.broken && Date.now() - listed.at < TOOL_LIST_TTL_MS) return Promise.resolve(listed.tools);
    this.listing ??= this.list().finally(() => {
      this.listing = undefined;
    });
    return this.listing;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listed = undefined;
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await closeQuietly(connection.client);
  }

  private async list(): Promise<AppTool[]> {
    const deadline = Date.now() + connectTimeoutMs();
    try {
      const connection = await this.connect(deadline);
      const definitions = await this.listAll(connection, deadline);
      const tools = this.toAppTools(definitions);
      this.listed = { at: Date.now(), tools, connection };
      return tools;
    } catch (err) {
      this.listed = undefined;
      log().warn({ mcpServer: this.name, err: serializeError(err) }, "MCP server cannot be reached; its tools are left out");
      throw new Error(`MCP server "${this.name}": ${reason(err, this.config)}`, { cause: err });
    }
  }

  private async listAll(connection: Connection, deadline: number): Promise<ToolDefinition[]> {
    const tools: ToolDefinition[] = [];
    let cursor: string | undefined;
    try {
      for (let page = 0; page < MAX_TOOL_PAGES; page++) {
        const result = await connection.client.listTools({ params: cursor ? { cursor } : undefined, options: { timeout: Math.max(1, deadline - Date.now()) } });
        tools.push(...result.tools);
        cursor = result.nextCursor;
        if (!cursor) break;
      }
    } catch (err) {
      if (isConnectionFailure(err)) connection.broken = true;
      throw err;
    }
    return tools;
  }

  private toAppTools(definitions: ToolDefinition[]): AppTool[] {
    const { name: server, tools: allowed, approval } = this.config;
    const offered = allowed ? definitions.filter((d) => allowed.includes(d.name)) : definitions;
    const missing = (allowed ?? []).filter((name) => !definitions.some((d) => d.name === name));
    if (missing.length) log().warn({ mcpServer: server, missing }, "MCP server does not offer tools its allow-list names");
    return offered.map((d) => ({
      name: modelToolName(server, d.name),
      source: server,
      description: d.description ?? d.title ?? `${d.name} (from the ${server} MCP server)`,
      // Some providers refuse an object schema without properties.
      inputSchema: jsonSchema({ ...(d.inputSchema as JSONSchema7), type: "object", properties: (d.inputSchema.properties ?? {}) as JSONSchema7["properties"] }),
      needsApproval: approval === true || (Array.isArray(approval) && approval.includes(d.name)),
      run: (input, opts) => this.call(d.name, input, opts.signal),
    }));
  }

  private async call(tool: string, input: unknown, signal: AbortSignal): Promise<ToolResult> {
    if (input !== undefined && !isRecord(input)) throw new ToolError(`The input of ${tool} must be a JSON object.`);
    let connection: Connection;
    try {
      connection = await this.connect(Date.now() + connectTimeoutMs());
    } catch (err) {
      throw new ToolError(`The ${this.name} tools cannot be reached: ${reason(err, this.config)}.`, { cause: err });
    }
    let result: CallToolResult;
    try {
      result = await connection.client.callTool({ name: tool, arguments: input ?? {}, options: { signal } });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (isConnectionFailure(err)) {
        connection.broken = true;
        // Not the error's message: an HTTP error's carries the response body, which may echo the input.
        log().warn({ mcpServer: this.name, err: logPrompts() ? serializeError(err) : errorKind(err) }, "MCP tool call failed on its connection");
      }
      throw new ToolError(`${tool} (${this.name}) failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return toToolResult(result);
  }

  /** The live connection, or a new one (concurrent callers share the attempt). */
  private connect(deadline: number): Promise<Connection> {
    if (this.connection && !this.connection.broken) return Promise.resolve(this.connection);
    this.connecting ??= this.open(deadline).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(deadline: number): Promise<Connection> {
    const old = this.connection;
    this.connection = undefined;
    if (old) void closeQuietly(old.client);
    if (this.closed) throw new Error("the tools were closed");
    const connection = "command" in this.config ? await this.openStdio(this.config, deadline) : await this.openHttp(this.config, deadline);
    if (this.closed) {
      await closeQuietly(connection.client);
      throw new Error("the tools were closed");
    }
    this.connection = connection;
    log().info({ mcpServer: this.name }, "MCP server connected");
    return connection;
  }

  private async openStdio(config: Extract<McpServerConfig, { command: string }>, deadline: number): Promise<Connection> {
    // The child gets PATH, HOME and a few more from the app's environment, and `env`: not the app's secrets.
    // Its stderr is the server's log: it goes to the app's, as MCP hosts do.
    const transport = new StdioMCPTransport({ command: config.command, args: config.args, env: config.env, cwd: config.cwd, stderr: "inherit" });
    const client = await createMCPClient({ transport, ...this.clientOptions(deadline) });
    const connection: Connection = { client, broken: false };
    // The client set its own handler; a child that exits also marks the connection dead.
    const onclose = transport.onclose;
    transport.onclose = () => {
      connection.broken = true;
      onclose?.();
    };
    return connection;
  }

  private async openHttp(config: HttpConfig, deadline: number): Promise<Connection> {
    const holder: { connection?: Connection } = {};
    // A request that cannot reach the server (refused, reset) marks the connection dead.
    const watched: typeof fetch = async (input, init) => {
      try {
        return await fetch(input, init);
      } catch (err) {
        if (holder.connection && !init?.signal?.aborted) holder.connection.broken = true;
        throw err;
      }
    };
    const transport = (type: "http" | "sse") => ({ type, url: config.url, headers: config.headers, fetch: watched });
    let client: MCPClient;
    try {
      client = await createMCPClient({ transport: transport("http"), ...this.clientOptions(deadline) });
    } catch (err) {
      // The 2024-11-05 protocol's servers answer a POST with 404 or 405: they speak SSE (the spec's fallback).
      if (!(err instanceof MCPClientError && (err.statusCode === 404 || err.statusCode === 405)) || Date.now() >= deadline) throw err;
      client = await createMCPClient({ transport: transport("sse"), ...this.clientOptions(deadline) });
    }
    holder.connection = { client, broken: false };
    return holder.connection;
  }

  private clientOptions(deadline: number) {
    return {
      clientName: "pollchat",
      initializationOptions: { timeout: Math.max(1, deadline - Date.now()) },
      // What the client recovers from by itself (a legacy server refusing the protocol probe, a
      // notification it does not handle, a stream's reconnect): for debugging. A failure that
      // matters fails a request, and is logged there.
      onUncaughtError: (err: unknown) => log().debug({ mcpServer: this.name, err: serializeError(err) }, "MCP client error"),
    };
  }
}

/** Close, without waiting long for a server that does not answer (an HTTP session's DELETE). */
async function closeQuietly(client: MCPClient): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([client.close().catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, 2_000)))]);
  clearTimeout(timer);
}
