import type { AdminGenerationDto } from "@/lib/contract";
/** Generations in flight or failed, for admins: who, which chat, model, status, times, error. Never text. */

const time = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : "—");

export function GenerationsTable({ rows, caption, empty, failed }: { rows: AdminGenerationDto[]; caption: string; empty: string; failed?: boolean }) {
  if (rows.length === 0) return <p className="empty">{empty}</p>;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="data-table">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Chat</th>
            <th scope="col">Model</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            {failed && <th scope="col">Error</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((g) => (
            <tr key={g.uuid} data-request={g.uuid}>
              <td>{g.user.email ?? (g.user.guest ? "Guest" : g.user.id)}</td>
              <td className="mono">{g.chatUuid}</td>
              <td className="mono">{g.model}</td>
              <td>
                {g.status}
                {g.attempt > 1 ? ` (attempt ${g.attempt})` : ""}
              </td>
              <td>{time(g.startedAt ?? g.createdAt)}</td>
              {failed && <td className="error-text">{g.error ?? "—"}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
