/**
 * Draws the app's icons (the brand mark: a white diamond on the accent colour) with no image
 * library: pixels by hand, PNG via zlib, the favicon as an ICO of PNGs. Run it again after
 * changing the mark: `node scripts/make-icons.mjs`. Writes app/favicon.ico, app/icon.svg,
 * app/apple-icon.png and public/icon-{192,512}.png, public/icon-maskable-512.png.
 */
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const ACCENT = [0x4f, 0x46, 0xe5];
const MARK = [0xff, 0xff, 0xff];

/** Coverage (0-1) of the shape at pixel (x, y), 4x4 supersampled. */
function coverage(size, inside, x, y) {
  let hits = 0;
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (inside((x + (i + 0.5) / 4) / size, (y + (j + 0.5) / 4) / size)) hits++;
  return hits / 16;
}

/** RGBA pixels: a rounded square (`radius` of the side; 0 = full bleed) with the diamond (`mark` = its half diagonal). */
function draw(size, { radius, mark }) {
  const px = Buffer.alloc(size * size * 4);
  const rounded = (u, v) => {
    if (radius === 0) return true;
    const cx = Math.min(Math.max(u, radius), 1 - radius);
    const cy = Math.min(Math.max(v, radius), 1 - radius);
    return (u - cx) ** 2 + (v - cy) ** 2 <= radius ** 2;
  };
  const diamond = (u, v) => Math.abs(u - 0.5) + Math.abs(v - 0.5) <= mark;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const bg = coverage(size, rounded, x, y);
      const fg = coverage(size, diamond, x, y);
      const o = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) px[o + c] = Math.round(ACCENT[c] * (1 - fg) + MARK[c] * fg);
      px[o + 3] = Math.round(255 * Math.max(bg, fg));
    }
  }
  return px;
}

const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(buf) {
  let c = -1;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size, px) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) px.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
}
function ico(images) {
  const head = Buffer.alloc(6 + 16 * images.length);
  head.writeUInt16LE(1, 2);
  head.writeUInt16LE(images.length, 4);
  let offset = head.length;
  images.forEach(({ size, data }, i) => {
    const e = 6 + 16 * i;
    head[e] = size % 256;
    head[e + 1] = size % 256;
    head.writeUInt16LE(1, e + 4);
    head.writeUInt16LE(32, e + 6);
    head.writeUInt32LE(data.length, e + 8);
    head.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([head, ...images.map((i) => i.data)]);
}

const tab = { radius: 0.22, mark: 0.26 };
const icon = (size, style = tab) => png(size, draw(size, style));
writeFileSync(`${root}app/favicon.ico`, ico([16, 32, 48].map((size) => ({ size, data: icon(size) }))));
writeFileSync(`${root}app/apple-icon.png`, icon(180, { radius: 0, mark: 0.24 }));
writeFileSync(`${root}public/icon-192.png`, icon(192));
writeFileSync(`${root}public/icon-512.png`, icon(512));
// Maskable: full bleed, the mark inside the central 80% safe zone.
writeFileSync(`${root}public/icon-maskable-512.png`, icon(512, { radius: 0, mark: 0.2 }));
writeFileSync(
  `${root}app/icon.svg`,
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#4f46e5"/><path d="M32 15.4 48.6 32 32 48.6 15.4 32z" fill="#fff"/></svg>\n`,
);
console.log("icons written");
