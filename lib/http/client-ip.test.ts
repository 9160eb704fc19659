import { describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { clientIp } from "./client-ip";
import { installSocketAddressHeader, SOCKET_HEADER } from "./socket-address";

const h = (xff?: string) => new Headers(xff === undefined ? {} : { "x-forwarded-for": xff });

describe("clientIp", () => {
  it("without the socket's stamp, takes the last X-Forwarded-For entry, or the one the trusted proxies appended", () => {
    expect(clientIp(h("127.0.0.1"), 0)).toBe("127.0.0.1");
    expect(clientIp(h("203.0.113.9"), 1)).toBe("203.0.113.9");
    // A client's own entries stand further left and are ignored.
    expect(clientIp(h("6.6.6.6, 203.0.113.9"), 1)).toBe("203.0.113.9");
    expect(clientIp(h("6.6.6.6, 203.0.113.9, 10.0.0.2"), 2)).toBe("203.0.113.9");
  });

  it("normalizes mapped IPv4, brackets, ports and case", () => {
    expect(clientIp(h("::ffff:10.0.0.1"), 0)).toBe("10.0.0.1");
    expect(clientIp(h("[2001:DB8::1]:443"), 0)).toBe("2001:db8::1");
    expect(clientIp(h("203.0.113.9:5555"), 0)).toBe("203.0.113.9");
  });

  it("knows no address when there is none, or fewer entries than trusted proxies", () => {
    expect(clientIp(h(), 0)).toBeUndefined();
    expect(clientIp(h(" , "), 0)).toBeUndefined();
    expect(clientIp(h("203.0.113.9"), 2)).toBeUndefined();
  });
});

describe("the socket's address (TRUST_PROXY=0)", () => {
  it("is stamped on every request of a Node HTTP server, over any header the client sent", async () => {
    installSocketAddressHeader();
    const seen: (string | undefined)[] = [];
    const server = http.createServer((req, res) => {
      const headers = new Headers(Object.entries(req.headers).map(([k, v]) => [k, String(v)] as [string, string]));
      seen.push(clientIp(headers, 0));
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const { port } = server.address() as AddressInfo;
    try {
      for (const forged of [{ "x-forwarded-for": "6.6.6.6" }, { [SOCKET_HEADER]: "guess 6.6.6.6", "x-forwarded-for": "6.6.6.6" }]) {
        await new Promise<void>((resolve, reject) => {
          http.get({ host: "127.0.0.1", port, headers: forged, localAddress: "127.0.0.3" }, (res) => res.resume().on("end", resolve)).on("error", reject);
        });
      }
    } finally {
      server.close();
    }
    expect(seen).toEqual(["127.0.0.3", "127.0.0.3"]);
  });

  it("ignores a stamp without this process's key", () => {
    const headers = new Headers({ [SOCKET_HEADER]: "not-the-key 6.6.6.6", "x-forwarded-for": "203.0.113.9" });
    expect(clientIp(headers, 0)).toBe("203.0.113.9");
  });
});
