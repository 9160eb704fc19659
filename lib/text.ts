/**
 * Positions are Unicode code points (what PostgreSQL's length() counts), never UTF-16 units.
 */

/** Number of code points in s. */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** The UTF-16 index at which code point number `cp` starts (s.length when past the end). */
export function utf16IndexOfCodePoint(s: string, cp: number): number {
  let i = 0;
  for (let n = 0; n < cp && i < s.length; n++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return i;
}

/** s from code point `cp` on. */
export function sliceFromCodePoint(s: string, cp: number): string {
  return cp <= 0 ? s : s.slice(utf16IndexOfCodePoint(s, cp));
}

/**
 * Text safe to store in PostgreSQL: no NUL (text columns reject it) and no lone surrogates
 * (UTF-8 cannot encode them; they would silently become U+FFFD and shift positions).
 */
export function storableText(s: string): string {
  return s.toWellFormed().replaceAll("\u0000", "\uFFFD");
}

/**
 * A JSON value PostgreSQL's jsonb takes: every string in it (keys too) made storable like
 * text (jsonb refuses NUL and lone surrogates; a tool's output or a model's input may hold them).
 */
export function storableJson<T>(value: T): T {
  if (typeof value === "string") return storableText(value) as T;
  if (Array.isArray(value)) return value.map(storableJson) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)])) as T;
  return value;
}
