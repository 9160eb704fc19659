import { describe, expect, it } from "vitest";
import { clientIp } from "./client-ip";

const h = (xff?: string) => new Headers(xff === undefined ? {} : { "x-forwarded-for": xff });

describe("clientIp", () => {
  it("takes the address Next.js recorded, or the one the trusted proxies appended", () => {
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
