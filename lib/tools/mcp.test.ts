/**
 * The result and naming rules of MCP tools, without a server (lib/tools/tools.test.ts runs real ones).
 */
import { describe, expect, it } from "vitest";
import { modelToolName, toToolResult, uniqueToolName } from "./mcp";
import { ToolError } from "./types";

describe("toToolResult", () => {
  it("joins the text parts; web links and resources become sources, each once; other links do not", () => {
    const result = toToolResult({
      content: [
        { type: "text", text: "Found two pages." },
        { type: "resource_link", uri: "https://example.com/a", name: "a.html", title: "Page A" },
        { type: "resource_link", uri: "demo://resource/1", name: "not on the web" },
        { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" },
        { type: "resource", resource: { uri: "http://example.org/b", name: "b", text: "B's text" } },
        { type: "resource_link", uri: "https://example.com/a", name: "again" },
        { type: "text", text: "The end." },
      ],
    });
    expect(result).toEqual({
      output: "Found two pages.\nThe end.",
      sources: [
        { url: "https://example.com/a", title: "Page A" },
        { url: "http://example.org/b", title: "b" },
      ],
    });
  });

  it("prefers the structured content, and has no sources when there are none", () => {
    expect(toToolResult({ content: [{ type: "text", text: '{"t":1}' }], structuredContent: { t: 1 } })).toEqual({ output: { t: 1 } });
    expect(toToolResult({ content: [] })).toEqual({ output: "" });
  });

  it("isError is thrown as a ToolError with the server's text", () => {
    expect(() => toToolResult({ content: [{ type: "text", text: "No such file: /x" }], isError: true })).toThrow(new ToolError("No such file: /x"));
    expect(() => toToolResult({ content: [], isError: true })).toThrow(new ToolError("The tool failed without saying why."));
  });

  it("takes the older protocol's toolResult", () => {
    expect(toToolResult({ toolResult: { ok: true } })).toEqual({ output: { ok: true } });
  });
});

describe("tool names", () => {
  it("are <server>_<tool>, in the characters and length providers accept", () => {
    expect(modelToolName("files", "read_file")).toBe("files_read_file");
    expect(modelToolName("web", "search.query v2/ü")).toBe("web_search_query_v2__");
    expect(modelToolName("s", "x".repeat(100))).toMatch(/^s_x{62}$/);
  });

  it("are made unique, still within 64 characters", () => {
    const taken = new Set(["calculator"]);
    expect(uniqueToolName("calculator", taken)).toBe("calculator_2");
    expect(uniqueToolName("calculator", taken)).toBe("calculator_3");
    const long = "y".repeat(64);
    expect(uniqueToolName(long, taken)).toBe(long);
    expect(uniqueToolName(long, taken)).toBe(`${"y".repeat(62)}_2`);
    for (const name of taken) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });
});
