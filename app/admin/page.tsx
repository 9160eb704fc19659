import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { pageUser } from "@/lib/auth/session";
import { FAILED_DAYS, listGenerations, listToolRunsDto, listUsers, usersQuery } from "@/lib/admin/admin-actions";
import { SettingsFrame } from "@/components/account/settings-frame";
import { UsersTable } from "@/components/admin/users-table";
import { GenerationsTable } from "@/components/admin/generations-table";
import { ToolRunsTable } from "@/components/admin/tool-runs-table";

export const metadata: Metadata = { title: "Admin" };
export const dynamic = "force-dynamic";

/** Admins only (others: the 404 page): users with their usage, and the generations in flight or failed. */
export default async function AdminPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await pageUser();
  if (!user) redirect("/signin?callbackUrl=/admin");
  if (user.role !== "admin") notFound();
  const sp = await props.searchParams;
  const parsed = usersQuery.safeParse({ q: typeof sp.q === "string" ? sp.q : undefined, cursor: typeof sp.cursor === "string" ? sp.cursor : undefined, limit: 100 });
  const query = parsed.success ? parsed.data : { limit: 100 };
  const [{ users, nextCursor }, generations, toolRuns] = await Promise.all([
    listUsers(query).catch(() => listUsers({ limit: 100 })),
    listGenerations({ limit: 50 }),
    listToolRunsDto(50),
  ]);
  const q = parsed.success ? (parsed.data.q ?? "") : "";
  return (
    <SettingsFrame user={user} wide>
      <h1>Admin</h1>
      <p className="lead">Users, their usage and limits, and the answers being generated or failed.</p>

      <section className="card" aria-labelledby="users-title">
        <h2 id="users-title">Users</h2>
        <p className="card-lead">Disabling an account stops its sessions, API tokens and answers in progress at once.</p>
        <form className="admin-search" role="search" action="/admin">
          <label htmlFor="admin-q" className="sr-only">
            Search users by email or name
          </label>
          <input id="admin-q" name="q" type="search" defaultValue={q} placeholder="Search by email or name" maxLength={200} />
          <button className="btn" type="submit">
            Search
          </button>
        </form>
        <UsersTable users={users} selfId={user.id} />
        {nextCursor && (
          <p className="footnote">
            <Link href={`/admin?${new URLSearchParams({ ...(q ? { q } : {}), cursor: nextCursor }).toString()}`}>Older users</Link>
          </p>
        )}
      </section>

      <section className="card" aria-labelledby="inflight-title">
        <h2 id="inflight-title">Generating now</h2>
        <p className="card-lead">Answers queued or running, oldest first.</p>
        <GenerationsTable rows={generations.inFlight} caption="Generations in flight" empty="Nothing is generating right now." />
      </section>

      <section className="card" aria-labelledby="failed-title">
        <h2 id="failed-title">Failed</h2>
        <p className="card-lead">Answers that failed in the last {FAILED_DAYS} days, newest first, with the error their user saw.</p>
        <GenerationsTable rows={generations.failed} caption="Failed generations" empty={`No answer failed in the last ${FAILED_DAYS} days.`} failed />
      </section>

      <section className="card" aria-labelledby="tools-title">
        <h2 id="tools-title">Tool calls</h2>
        <p className="card-lead">The latest calls models made to tools: which tool, how it ended and how long it took (never what went in or out).</p>
        <ToolRunsTable rows={toolRuns} />
      </section>
    </SettingsFrame>
  );
}
