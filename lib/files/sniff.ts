/**
 * What a file is, from its bytes alone (docs/design.md §3.13): never from its name or the type
 * the uploader claimed, which are theirs to choose. Only what the app can show or give a model
 * is accepted; everything else is 415 unsupported_media_type. Text is any valid UTF-8 without
 * NUL, and is served as text/plain whatever it is (an .html or .svg upload is text to us, never
 * markup our origin would render).
 */

export const ACCEPTED_MEDIA_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"] as const;
export type AcceptedMediaType = (typeof ACCEPTED_MEDIA_TYPES)[number];

const startsWith = (b: Uint8Array, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** The media type of these bytes, or undefined when they are none the app takes. */
export function sniffMediaType(bytes: Uint8Array): AcceptedMediaType | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) return "image/gif";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "image/webp";
  if (startsWith(bytes, ascii("%PDF-"))) return "application/pdf";
  if (isText(bytes)) return "text/plain";
  return undefined;
}

/** Valid UTF-8 with no NUL (binary formats nearly always have one, and PostgreSQL text cannot hold it). */
function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** How a browser should open it: images in place, anything else as a download. */
export function dispositionOf(mediaType: string): "inline" | "attachment" {
  return mediaType.startsWith("image/") ? "inline" : "attachment";
}
