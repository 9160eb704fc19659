import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { warmRoutes } from "@/lib/dev-warmup";

describe("dev warmup", () => {
  it("waits for the server, then asks once for each main page and first-conversation route", async () => {
    const seen: string[] = [];
    let up = false;
    const server = createServer((req: IncomingMessage, res) => {
      if (!up) {
        req.socket.destroy(); // not ready yet: the warmup retries
        return;
      }
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(req.url === "/chat" ? 307 : 200, { location: "/signin" }).end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    setTimeout(() => (up = true), 700);
    try {
      const { port } = server.address() as AddressInfo;
      const done = await warmRoutes({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 10_000 });
      expect(seen[0]).toBe("GET /api/health");
      expect(seen).toEqual(expect.arrayContaining(["GET /signin", "GET /signup", "GET /chat", "POST /chat/create", "GET /api/models"]));
      expect(seen.some((s) => /^POST \/chat\/[0-9a-f-]{36}\/send$/.test(s))).toBe(true);
      expect(done.length).toBe(seen.length - 1);
      // Redirects are not followed (each route once).
      expect(seen.filter((s) => s === "GET /signin")).toHaveLength(1);
    } finally {
      server.close();
    }
  });

  it("gives up quietly when no server comes", async () => {
    expect(await warmRoutes({ baseUrl: "http://127.0.0.1:9", timeoutMs: 300 })).toEqual([]);
  });
});
