/** Every user with their usage and limits, and the actions on each (components/admin/user-actions.tsx). */
import { formatCount } from "@/lib/duration";
import { formatBytes } from "@/lib/files/bytes";
import { UserActions } from "./user-actions";
import type { AdminUserDto } from "@/lib/contract";

function limit(user: AdminUserDto, name: keyof AdminUserDto["limits"], label: string): string {
  const v = user.limits[name];
  return `${label}: ${v === 0 ? "no limit" : name === "storageBytes" ? formatBytes(v) : formatCount(v)}${user.quota[name] !== undefined ? " (set)" : ""}`;
}

export function UsersTable({ users, selfId }: { users: AdminUserDto[]; selfId: string }) {
  if (users.length === 0) return <p className="empty">No users match.</p>;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="data-table" data-testid="admin-users">
        <caption className="sr-only">Users with their usage and limits</caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col" className="num">
              Tokens today
            </th>
            <th scope="col" className="num">
              Tokens, 30 days
            </th>
            <th scope="col" className="num">
              Messages, last hour
            </th>
            <th scope="col" className="num">
              Generating
            </th>
            <th scope="col">Limits</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} data-user={u.email ?? u.id} data-disabled={u.disabled}>
              <td>
                <div className="user-cell">
                  <span className="who">{u.email ? <EmailText email={u.email} /> : u.guest ? "Guest" : u.id}</span>
                  {u.name && u.email && <span>{u.name}</span>}
                  <span className="badges">
                    {u.role === "admin" && <span className="badge badge-accent">Admin</span>}
                    {u.guest && <span className="badge">Guest</span>}
                    {u.disabled && <span className="badge badge-danger">Disabled</span>}
                    {u.id === selfId && <span className="badge">You</span>}
                  </span>
                </div>
              </td>
              <td className="num">{formatCount(u.usage.tokensToday)}</td>
              <td className="num">{formatCount(u.usage.tokens30d)}</td>
              <td className="num">{formatCount(u.usage.messagesLastHour)}</td>
              <td className="num">{formatCount(u.usage.active)}</td>
              <td className="limits-cell">
                <span className="quota-note">
                  {[limit(u, "messagesPerHour", "messages/hour"), limit(u, "tokensPerDay", "tokens/day"), limit(u, "concurrent", "at once"), limit(u, "storageBytes", "files")].join(" · ")}
                </span>
              </td>
              <td>
                <UserActions user={u} self={u.id === selfId} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** An e-mail that may wrap before its @ and nowhere else: "alice" / "@example.com". */
function EmailText({ email }: { email: string }) {
  const at = email.lastIndexOf("@");
  if (at <= 0) return <span className="nowrap">{email}</span>;
  return (
    <>
      <span className="nowrap">{email.slice(0, at)}</span>
      <wbr />
      <span className="nowrap">{email.slice(at)}</span>
    </>
  );
}
