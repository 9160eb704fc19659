/** Sidebar sections: chats by their last activity, in the person's own time zone. */
export type DayGroup = "Today" | "Yesterday" | "Previous 7 days" | "Older";

const ORDER: DayGroup[] = ["Today", "Yesterday", "Previous 7 days", "Older"];

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

export function dayGroup(iso: string, now: Date): DayGroup {
  const today = startOfDay(now);
  const t = new Date(iso).getTime();
  if (t >= today) return "Today";
  // Calendar days, not 24-hour spans (daylight saving time makes some days 23 or 25 hours).
  const yesterday = startOfDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1));
  if (t >= yesterday) return "Yesterday";
  const weekAgo = startOfDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 7));
  if (t >= weekAgo) return "Previous 7 days";
  return "Older";
}

export function groupByDay<T extends { updatedAt: string }>(items: T[], now: Date): { label: DayGroup; items: T[] }[] {
  const groups = new Map<DayGroup, T[]>();
  for (const item of items) {
    const g = dayGroup(item.updatedAt, now);
    const list = groups.get(g);
    if (list) list.push(item);
    else groups.set(g, [item]);
  }
  return ORDER.filter((g) => groups.has(g)).map((label) => ({ label, items: groups.get(label)! }));
}
