import { describe, expect, it } from "vitest";
import { safeCallback } from "./callback-url";

describe("safeCallback", () => {
  it("keeps paths on this site, with their query and fragment", () => {
    expect(safeCallback("/chat")).toBe("/chat");
    expect(safeCallback("/chat/abc?x=1#y")).toBe("/chat/abc?x=1#y");
    expect(safeCallback(["/account", "/admin"])).toBe("/account");
  });

  it("sends anything that leaves the site, or is no path, to /", () => {
    for (const bad of ["//evil.example", "/\\evil.example", "/\t/evil.example", "/\n/evil.example", "https://evil.example/", "javascript:alert(1)", "evil.example", "", undefined, null]) {
      expect(safeCallback(bad), String(bad)).toBe("/");
    }
  });

  it("never answers two leading slashes (a host to a browser)", () => {
    expect(safeCallback("/.//evil.example")).toBe("/evil.example");
    expect(safeCallback("/%2F/evil.example").startsWith("//")).toBe(false);
  });

  it("answers plain ASCII, safe in a Location header", () => {
    for (const raw of ["/€", "/\r\nSet-Cookie: x=y", "/\u0000", "/a b"]) {
      expect(safeCallback(raw), JSON.stringify(raw)).toMatch(/^\/[\x21-\x7e]*$/);
    }
  });
});
