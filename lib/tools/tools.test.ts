/**
 * loadTools() with real MCP servers: @modelcontextprotocol/server-everything as a child over
 * stdio, and as its own process over streamable HTTP and over the older SSE, configured through
 * the environment as an operator would. Waits for conditions (a port that accepts, a file that
 * has a line), never for a fixed time: the machine may be busy.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { closeTools, loadTools, ToolError, type AppTool } from "./index";
import { CONNECT_TIMEOUT_MS } from "./mcp";

const EVERYTHING = fileURLToPath(new URL("../../node_modules/@modelcontextprotocol/server-everything/dist/index.js", import.meta.url));
const signal = new AbortController().signal;

let dir: string;
/** Starts server-everything after writing its pid to SPAWN_LOG: how many children, and which. */
let wrapper: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "pollchat-tools-"));
  wrapper = path.join(dir, "everything.mjs");
  writeFileSync(wrapper, 'import { appendFileSync } from "node:fs";\nappendFileSync(process.env.SPAWN_LOG, `${process.pid}\\n`);\nawait import(process.env.EVERYTHING);\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const children: ChildProcess[] = [];
afterEach(async () => {
  await closeTools();
  for (const child of children.splice(0)) child.kill();
  vi.unstubAllEnvs();
  resetEnvForTests();
});

function configure(vars: { MCP_SERVERS?: unknown[]; BUILTIN_TOOLS?: string; TOOL_TIMEOUT_MS?: number }): void {
  // The failures these tests cause on purpose are logged as warnings: not in the test output.
  vi.stubEnv("LOG_LEVEL", "silent");
  vi.stubEnv("MCP_SERVERS", vars.MCP_SERVERS ? JSON.stringify(vars.MCP_SERVERS) : "");
  if (vars.BUILTIN_TOOLS !== undefined) vi.stubEnv("BUILTIN_TOOLS", vars.BUILTIN_TOOLS);
  if (vars.TOOL_TIMEOUT_MS !== undefined) vi.stubEnv("TOOL_TIMEOUT_MS", String(vars.TOOL_TIMEOUT_MS));
  resetEnvForTests();
}

/** A stdio server entry that logs each start of its child to a file of its own. */
function stdioServer(name: string, extra: Record<string, unknown> = {}): { entry: Record<string, unknown>; pids: () => number[] } {
  const log = path.join(dir, `${name}-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, "");
  const pids = () => readFileSync(log, "utf8").split("\n").filter(Boolean).map(Number);
  return { entry: { name, command: process.execPath, args: [wrapper, "stdio"], env: { SPAWN_LOG: log, EVERYTHING }, ...extra }, pids };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => resolve(true)).once("error", () => resolve(false));
    socket.once("close", () => socket.destroy());
  }).finally(() => undefined);

/** server-everything over HTTP (`streamableHttp` or `sse`), once its port accepts connections. */
async function httpEverything(mode: "streamableHttp" | "sse", port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [EVERYTHING, mode], { env: { ...process.env, PORT: String(port) }, stdio: "ignore" });
  children.push(child);
  await until(() => accepts(port), `server-everything ${mode} on port ${port}`);
  return child;
}

const byName = (tools: AppTool[], name: string): AppTool => {
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name} in ${tools.map((t) => t.name).join(", ")}`);
  return tool;
};

describe("over stdio", { timeout: 60_000 }, () => {
  it("offers the allow-listed tools under <server>_<tool>, with their approval, and runs them", async () => {
    const server = stdioServer("everything", { tools: ["echo", "get-sum", "get-structured-content"], approval: ["get-sum"] });
    configure({ MCP_SERVERS: [server.entry] });
    const { tools, problems } = await loadTools();
    expect(problems).toEqual([]);
    expect(tools.map((t) => [t.name, t.source, t.needsApproval])).toEqual([
      ["current_time", "builtin", false],
      ["calculator", "builtin", false],
      ["everything_echo", "everything", false],
      // In the server's order.
      ["everything_get-structured-content", "everything", false],
      ["everything_get-sum", "everything", true],
    ]);
    expect(byName(tools, "everything_echo").description).toMatch(/echo/i);

    expect(await byName(tools, "everything_echo").run({ message: "hello" }, { signal })).toEqual({ output: "Echo: hello" });
    expect(await byName(tools, "everything_get-sum").run({ a: 2, b: 40 }, { signal })).toEqual({ output: "The sum of 2 and 40 is 42." });
    const weather = await byName(tools, "everything_get-structured-content").run({ location: "New York" }, { signal });
    expect(weather.output).toMatchObject({ temperature: expect.any(Number) as unknown, conditions: expect.any(String) as unknown });
    expect(server.pids()).toHaveLength(1);
  });

  it("a tool's error (a wrong input) is a ToolError with the server's sentence", async () => {
    const server = stdioServer("everything", { tools: ["get-sum"] });
    configure({ MCP_SERVERS: [server.entry] });
    const sum = byName((await loadTools()).tools, "everything_get-sum");
    const failure = sum.run({ a: "two" }, { signal });
    await expect(failure).rejects.toThrow(ToolError);
    await expect(failure).rejects.toThrow(/Invalid arguments for tool get-sum: .*expected number, received string/);
    await expect(sum.run("not an object", { signal })).rejects.toThrow("The input of get-sum must be a JSON object.");
    // The connection is still good: an answer, not a failure of the connection.
    expect(await sum.run({ a: 1, b: 1 }, { signal })).toEqual({ output: "The sum of 1 and 1 is 2." });
    expect(server.pids()).toHaveLength(1);
  });

  it("approval: true puts every tool of the server behind a click; BUILTIN_TOOLS chooses the built-ins", async () => {
    const server = stdioServer("ev", { tools: ["echo", "get-sum"], approval: true });
    configure({ MCP_SERVERS: [server.entry], BUILTIN_TOOLS: "calculator" });
    const { tools } = await loadTools();
    expect(tools.map((t) => [t.name, t.needsApproval])).toEqual([
      ["calculator", false],
      ["ev_echo", true],
      ["ev_get-sum", true],
    ]);
  });

  it("one child per server: concurrent loads share the start, later loads the list; a dead child is started again at the next load", async () => {
    const server = stdioServer("everything", { tools: ["echo"] });
    configure({ MCP_SERVERS: [server.entry], BUILTIN_TOOLS: "" });
    const loads = await Promise.all([loadTools(), loadTools(), loadTools()]);
    for (const load of loads) expect(load.tools.map((t) => t.name)).toEqual(["everything_echo"]);
    await loadTools();
    expect(server.pids()).toHaveLength(1);

    process.kill(server.pids()[0]!, "SIGKILL");
    // The client notices the exit (the pipe closes); then the next load starts another child.
    await until(async () => {
      const { tools, problems } = await loadTools();
      return problems.length === 0 && tools.length === 1 && server.pids().length === 2;
    }, "a second child");
    const { tools } = await loadTools();
    expect(await byName(tools, "everything_echo").run({ message: "again" }, { signal })).toEqual({ output: "Echo: again" });
    expect(server.pids()).toHaveLength(2);
  });

  it("a call running past TOOL_TIMEOUT_MS fails with a sentence; one stopped by the runner rejects with its reason", async () => {
    const server = stdioServer("everything", { tools: ["trigger-long-running-operation"] });
    configure({ MCP_SERVERS: [server.entry], TOOL_TIMEOUT_MS: 300 });
    const slow = byName((await loadTools()).tools, "everything_trigger-long-running-operation");
    const started = Date.now();
    await expect(slow.run({ duration: 30, steps: 30 }, { signal })).rejects.toThrow(new ToolError("everything_trigger-long-running-operation did not finish within 300 ms and was stopped."));
    expect(Date.now() - started).toBeLessThan(10_000);

    configure({ MCP_SERVERS: [server.entry], TOOL_TIMEOUT_MS: 60_000 });
    const stop = new AbortController();
    const running = byName((await loadTools()).tools, "everything_trigger-long-running-operation").run({ duration: 30, steps: 30 }, { signal: stop.signal });
    stop.abort(new Error("the member stopped the answer"));
    await expect(running).rejects.toThrow("the member stopped the answer");
  });
});

describe("over HTTP", { timeout: 60_000 }, () => {
  it("streamable HTTP: runs a tool; a server gone is a problem at the next load, and back, it is reconnected", async () => {
    const port = await freePort();
    let child = await httpEverything("streamableHttp", port);
    configure({ MCP_SERVERS: [{ name: "remote", url: `http://127.0.0.1:${port}/mcp`, headers: { "X-Client": "pollchat-test" }, tools: ["echo"] }], BUILTIN_TOOLS: "" });
    let { tools, problems } = await loadTools();
    expect(problems).toEqual([]);
    expect(await byName(tools, "remote_echo").run({ message: "over http" }, { signal })).toEqual({ output: "Echo: over http" });

    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    // The call that finds the server gone fails with a sentence and marks the connection dead.
    await expect(byName(tools, "remote_echo").run({ message: "anyone?" }, { signal })).rejects.toThrow(ToolError);
    ({ tools, problems } = await loadTools());
    expect(tools).toEqual([]);
    expect(problems).toEqual(['MCP server "remote": the connection was refused (is it running?)']);

    child = await httpEverything("streamableHttp", port);
    ({ tools, problems } = await loadTools());
    expect(problems).toEqual([]);
    expect(await byName(tools, "remote_echo").run({ message: "back" }, { signal })).toEqual({ output: "Echo: back" });
  });

  it("a server that has only the older SSE transport is reached over SSE", async () => {
    const port = await freePort();
    await httpEverything("sse", port);
    configure({ MCP_SERVERS: [{ name: "legacy", url: `http://127.0.0.1:${port}/sse`, tools: ["get-sum"] }], BUILTIN_TOOLS: "" });
    const { tools, problems } = await loadTools();
    expect(problems).toEqual([]);
    expect(await byName(tools, "legacy_get-sum").run({ a: 20, b: 22 }, { signal })).toEqual({ output: "The sum of 20 and 22 is 42." });
  });
});

describe("servers that cannot be reached", { timeout: 60_000 }, () => {
  it("are left out and named in problems within the connect timeout; the built-ins and the good servers still load", async () => {
    const good = stdioServer("good", { tools: ["echo"] });
    const refusedPort = await freePort();
    configure({
      MCP_SERVERS: [
        { name: "nocommand", command: path.join(dir, "no-such-command") },
        { name: "exits", command: process.execPath, args: ["-e", "process.exit(3)"] },
        { name: "silent", command: process.execPath, args: ["-e", "setInterval(() => {}, 1000)"] },
        { name: "refused", url: `http://127.0.0.1:${refusedPort}/mcp` },
        good.entry,
      ],
    });
    const started = Date.now();
    const { tools, problems } = await loadTools();
    const took = Date.now() - started;
    expect(tools.map((t) => t.name)).toEqual(["current_time", "calculator", "good_echo"]);
    expect(problems).toEqual([
      `MCP server "nocommand": the command "${path.join(dir, "no-such-command")}" was not found`,
      'MCP server "exits": the command exited before it answered',
      `MCP server "silent": it did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`,
      'MCP server "refused": the connection was refused (is it running?)',
    ]);
    // The silent one is waited for, for the connect timeout and no longer (slack for a busy machine).
    expect(took).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 50);
    expect(took).toBeLessThan(CONNECT_TIMEOUT_MS + 4_000);
  });

  it("loadTools never throws, even with MCP_SERVERS malformed; closeTools twice is fine", async () => {
    vi.stubEnv("LOG_LEVEL", "silent");
    vi.stubEnv("MCP_SERVERS", "[{");
    resetEnvForTests();
    const { tools, problems } = await loadTools();
    expect(tools).toEqual([]);
    expect(problems[0]).toMatch(/MCP_SERVERS: not valid JSON/);
    await closeTools();
    await closeTools();
  });
});
