/** The user's quotas: what is used of each, the limit, and when it resets. Server rendered. */
import { formatCount, formatDuration, utcClock } from "@/lib/duration";
import { formatBytes } from "@/lib/files/bytes";
import type { QuotaDto } from "@/lib/contract";

function note(q: QuotaDto): string {
  if (q.limit === 0) return "No limit.";
  const at = q.resetsAt ? new Date(q.resetsAt) : null;
  switch (q.name) {
    case "concurrent":
      return q.resetsIn !== null ? "Reached: it frees up as soon as an answer finishes." : "Frees up as each answer finishes.";
    case "messagesPerHour":
      if (q.resetsIn !== null) return `Reached: you can send again in ${formatDuration(q.resetsIn)}${at ? ` (at ${utcClock(at)})` : ""}.`;
      return at ? `A sliding hour: your oldest message of the hour leaves it at ${utcClock(at)}.` : "A sliding hour.";
    case "tokensPerDay":
      return `${q.resetsIn !== null ? "Reached: r" : "R"}esets at midnight UTC${q.untilReset !== null ? `, in ${formatDuration(q.untilReset)}` : ""}.`;
    case "storageBytes":
      return "Files you attach to messages, each distinct file counted once; deleting a chat frees its files.";
  }
}

/** "3 of 120"; sizes as sizes: "Files: 1.5 MB of 1 GB". */
function figure(q: QuotaDto): string {
  const f = q.name === "storageBytes" ? formatBytes : formatCount;
  return `${f(q.used)} ${q.limit > 0 ? `of ${f(q.limit)}` : "used"}`;
}

export function QuotaList({ quotas }: { quotas: QuotaDto[] }) {
  return (
    <ul className="quotas">
      {quotas.map((q) => {
        const reached = q.resetsIn !== null;
        const share = q.limit > 0 ? Math.min(100, (q.used / q.limit) * 100) : 0;
        return (
          <li key={q.name} className="quota" data-reached={reached} data-quota={q.name}>
            <div className="quota-head">
              <span>{q.label}</span>
              <span className="quota-figure">{figure(q)}</span>
            </div>
            <div className="quota-bar" aria-hidden="true">
              <span style={{ width: `${share}%` }} />
            </div>
            <span className="quota-note">
              {note(q)}
              {q.overridden ? " Set for your account by an admin." : ""}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
