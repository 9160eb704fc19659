import type { AdminToolRunDto } from "@/lib/contract";
/** The latest tool calls, for admins: which tool, from where, how it ended, how long, whose answer. Never input or output. */

const time = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

export function ToolRunsTable({ rows }: { rows: AdminToolRunDto[] }) {
  if (rows.length === 0) return <p className="empty">No tool has run yet.</p>;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="data-table">
        <caption className="sr-only">Tool calls</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Tool</th>
            <th scope="col">Source</th>
            <th scope="col">Status</th>
            <th scope="col">Time</th>
            <th scope="col">User</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-tool-run={r.id}>
              <td>{time(r.createdAt)}</td>
              <td className="mono">{r.tool}</td>
              <td>{r.source}</td>
              <td>{r.status}</td>
              <td>{r.ms < 1000 ? `${r.ms} ms` : `${(r.ms / 1000).toFixed(1)} s`}</td>
              <td>{r.user ? (r.user.email ?? r.user.id) : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
