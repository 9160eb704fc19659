import { describe, expect, it } from "vitest";
import { dispositionOf, sniffMediaType } from "./sniff";
import { formatBytes } from "./bytes";
import { cleanFileName, contentDisposition } from "./attachments";

const b = (...parts: (number[] | string)[]) => new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...Buffer.from(p)] : p)));

describe("files", () => {
  it("reads the type from the bytes alone", () => {
    expect(sniffMediaType(b([0x89], "PNG\r\n", [0x1a, 0x0a, 0]))).toBe("image/png");
    expect(sniffMediaType(b([0xff, 0xd8, 0xff, 0xdb]))).toBe("image/jpeg");
    expect(sniffMediaType(b("GIF87a", [1, 0]))).toBe("image/gif");
    expect(sniffMediaType(b("RIFF", [0, 0, 0, 0], "WEBPVP8L"))).toBe("image/webp");
    expect(sniffMediaType(b("RIFF", [0, 0, 0, 0], "WAVEfmt "))).toBeUndefined();
    expect(sniffMediaType(b("%PDF-1.4\n"))).toBe("application/pdf");
    expect(sniffMediaType(b("<svg onload=alert(1)>"))).toBe("text/plain");
    expect(sniffMediaType(b("héllo ✓ 👋"))).toBe("text/plain");
    // Binary: a NUL, or bytes that are not UTF-8.
    expect(sniffMediaType(b("MZ", [0x90, 0]))).toBeUndefined();
    expect(sniffMediaType(b([0x61, 0xc3]))).toBeUndefined();
    expect(dispositionOf("image/webp")).toBe("inline");
    expect(dispositionOf("text/plain")).toBe("attachment");
  });

  it("says sizes and names files safely", () => {
    expect([0, 1, 1023, 1024, 1536, 180_000, 20 * 1024 ** 2, 1024 ** 3].map(formatBytes)).toEqual([
      "0 bytes",
      "1 byte",
      "1023 bytes",
      "1 KB",
      "1.5 KB",
      "176 KB",
      "20 MB",
      "1 GB",
    ]);
    expect(cleanFileName("C:\\Users\\me\\report.pdf")).toBe("report.pdf");
    expect(cleanFileName("../../etc/passwd")).toBe("passwd");
    expect(cleanFileName("a\u0000b\r\n.txt")).toBe("a\uFFFDb.txt");
    expect(cleanFileName("  ")).toBe("file");
    expect(cleanFileName("x".repeat(300))).toHaveLength(255);
    expect(contentDisposition("attachment", 'naïve "quote"; x.txt')).toBe(`attachment; filename="na_ve _quote_; x.txt"; filename*=UTF-8''na%C3%AFve%20%22quote%22%3B%20x.txt`);
  });
});
