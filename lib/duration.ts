/**
 * How long until something, for people: "45 seconds", "12 minutes", "3 hours 12 minutes"
 * (long, in the server's sentences) or "45 s", "12 min", "3 h 12 min" (short, in countdowns).
 * Rounded up: "in 1 minute" must never be said of 61 seconds. No imports: the client uses it too.
 */
export function formatDuration(seconds: number, style: "long" | "short" = "long"): string {
  const s = Math.max(1, Math.ceil(seconds));
  const unit = (n: number, long: string, short: string) => (style === "short" ? `${n} ${short}` : `${n} ${long}${n === 1 ? "" : "s"}`);
  if (s < 60) return unit(s, "second", "s");
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return unit(minutes, "minute", "min");
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? unit(hours, "hour", "h") : `${unit(hours, "hour", "h")} ${unit(rest, "minute", "min")}`;
}

/** "14:05 UTC": a time of day that reads the same for everyone (the server does not know the reader's zone). */
export function utcClock(at: Date): string {
  return `${at.toISOString().slice(11, 16)} UTC`;
}

/** 12345 -> "12,345". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
