/**
 * A small MCP server over stdio for the tests (test/integration/answer-parts.test.ts): one
 * tool, `lookup`, that answers with text and links to the pages it read (`resource_link`
 * content with https URIs), as a search or documentation server does: the app shows them as
 * the answer's sources. Real MCP, through the official SDK.
 *
 *   node test/support/mcp-docs-server.mjs
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "docs", version: "1.0.0" });
server.registerTool(
  "lookup",
  { description: "Looks a topic up in the documentation and links the pages it read.", inputSchema: { topic: z.string() } },
  async ({ topic }) => ({
    content: [
      { type: "text", text: `Two pages mention ${topic}.` },
      { type: "resource_link", uri: `https://docs.example.org/${encodeURIComponent(topic)}`, name: `${topic} guide`, title: `The ${topic} guide` },
      { type: "resource_link", uri: "https://docs.example.org/faq", name: "FAQ" },
      { type: "resource_link", uri: "file:///etc/passwd", name: "not a web page" },
    ],
  }),
);
await server.connect(new StdioServerTransport());
