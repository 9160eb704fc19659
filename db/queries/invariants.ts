/**
 * Invariants of the data, checked by the operator endpoint GET /api/ops/invariants and, in
 * tests, after every integration test. Each rule below holds at every instant for the code as
 * it is (db/queries/attempts.ts and queue.ts write every state change of a generation in one
 * transaction), so the checks run as ONE statement: one snapshot, no false alarm from a
 * generation that moves on between two reads.
 *
 * A `running` request whose lease expired is NOT a violation by itself: after a crash or a
 * hand-over (shutdown, time budget) it waits, legitimately and for as long as nobody looks, for
 * the next poll to resume it. What must always hold is that such a poll CAN resume it (it has a
 * lease and was not cancel-requested). Only a caller that knows every server that ran
 * generations on this database is alive (a test, an operator after a calm period) asks for the
 * liveness rule too (`leaseGraceMs`): then a generation nobody has run for that long is a lost one.
 *
 * Full scans: an operator tool, not a hot path. At most LIMIT_PER_KIND rows per kind.
 */
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { getDb } from "../client.ts";
import { execRows } from "./util.ts";

export const INVARIANT_KINDS = [
  /** A chat whose owner (chat.user_id) is not its one `owner` member, or with another owner row. */
  "owner_not_member",
  /** A message and a request that name each other (prompt, response, llm_request_uuid) live in different chats. */
  "foreign_message",
  /** More than one queued or running request in one chat. */
  "two_active_generations",
  /** A finished request's answer does not hold exactly the request's output. */
  "answer_differs_from_output",
  /** A finished answer whose request is still active, or whose status is not its request's. */
  "answer_status_mismatch",
  /** A pending assistant message with no queued or running request behind it: it would spin forever. */
  "pending_answer_without_generation",
  /** A user message pending without its request queued, or a queued request whose prompt is not pending. */
  "prompt_status_mismatch",
  /** A message and its request that do not point back at each other, or point at nothing. */
  "broken_link",
  /** Columns that contradict the request's status (e.g. running without a lease: no poll could resume it). */
  "request_state_invalid",
  /** Output chunks left behind by a finished request (they are deleted in the transaction that ends it). */
  "leftover_output_chunks",
  /** Part events left behind by a finished request (folded into the message when it ends). */
  "leftover_part_events",
  /** A stored file no attachment names (docs/design.md §3.13: it is deleted with the last one), or one whose bytes are in neither place. */
  "file_blob_orphan",
  /** An attachment bound to a message of another chat than its own, or bound with no chat. */
  "attachment_foreign_message",
  /** A message whose parent is missing, in another chat, or not older than it (docs/design.md §3.12). */
  "broken_parent",
  /**
   * Versions of one message (the same parent) with more than one selected, or none while no
   * regeneration of that message is on its way (the claim adds the selected one; a regeneration
   * stopped before it selects the old answer again).
   */
  "version_selection",
  /** `hidden` that disagrees with the active branch (the selected root, then the selected children). */
  "hidden_off_branch",
  /** Liveness (only with leaseGraceMs): running, and its lease expired longer ago than the grace. */
  "running_without_live_lease",
  /** Liveness (only with leaseGraceMs): queued and not started for longer than the grace. */
  "queued_not_started",
] as const;
export type InvariantKind = (typeof INVARIANT_KINDS)[number];

export interface Violation {
  kind: InvariantKind;
  /** The rows involved, by role: chat, request, message, user. */
  ids: Record<string, string>;
  detail: string;
}

const LIMIT_PER_KIND = 50;
const ACTIVE = sql.raw(`('queued', 'running')`);
const FINAL = sql.raw(`('completed', 'failed', 'cancelled')`);

/** Each check selects (kind, ids jsonb, detail). */
function checks(leaseGraceMs: number | undefined): SQL[] {
  const list: SQL[] = [
    sql`select 'owner_not_member', jsonb_build_object('chat', c.uuid, 'user', c.user_id),
          case when o.user_id is null then 'the owner ' || c.user_id || ' has no owner membership'
            else 'owner memberships: ' || o.owners end
        from chat c left join lateral (
            select string_agg(m.user_id, ', ') as owners, bool_or(m.user_id = c.user_id) as ok, min(m.user_id) as user_id
            from chat_member m where m.chat_uuid = c.uuid and m.role = 'owner') o on true
        where o.user_id is null or not o.ok or o.owners like '%, %'`,
    sql`select 'foreign_message', jsonb_build_object('request', r.uuid, 'chat', r.chat_uuid, 'message', m.uuid),
          'message of chat ' || m.chat_uuid || ' linked to a request of chat ' || r.chat_uuid
        from llm_request r join chat_message m
          on m.uuid = r.prompt_message_uuid or m.uuid = r.response_message_uuid or m.llm_request_uuid = r.uuid
        where m.chat_uuid <> r.chat_uuid`,
    sql`select 'two_active_generations', jsonb_build_object('chat', r.chat_uuid),
          count(*) || ' requests queued or running: ' || string_agg(r.uuid::text, ', ')
        from llm_request r where r.status in ${ACTIVE}
        group by r.chat_uuid having count(*) > 1`,
    sql`select 'answer_differs_from_output', jsonb_build_object('request', r.uuid, 'message', m.uuid, 'chat', r.chat_uuid),
          r.status || ' request output has ' || coalesce(char_length(r.output), 0) || ' characters, its answer ' || char_length(m.content)
        from llm_request r join chat_message m on m.uuid = r.response_message_uuid
        where r.status in ${FINAL} and m.content is distinct from coalesce(r.output, '')`,
    sql`select 'answer_status_mismatch', jsonb_build_object('message', m.uuid, 'request', r.uuid, 'chat', m.chat_uuid),
          'answer ' || m.status || ', its request ' || r.status
        from chat_message m join llm_request r on r.uuid = m.llm_request_uuid
        where m.role = 'assistant' and m.status <> 'pending'
          and (r.status in ${ACTIVE} or m.status <> r.status)`,
    sql`select 'pending_answer_without_generation', jsonb_build_object('message', m.uuid, 'chat', m.chat_uuid),
          'pending answer, request ' || coalesce(r.status, 'missing')
        from chat_message m left join llm_request r on r.uuid = m.llm_request_uuid
        where m.role = 'assistant' and m.status = 'pending' and (r.uuid is null or r.status not in ${ACTIVE})`,
    sql`select 'prompt_status_mismatch', jsonb_build_object('message', m.uuid, 'request', r.uuid, 'chat', m.chat_uuid),
          'user message ' || m.status || ', its request ' || r.status
        from chat_message m join llm_request r on r.uuid = m.llm_request_uuid
        where m.role = 'user' and ((m.status = 'pending') <> (r.status = 'queued') or m.status not in ('pending', 'completed'))`,
    sql`select 'broken_link', jsonb_build_object('message', m.uuid, 'request', m.llm_request_uuid, 'chat', m.chat_uuid),
          m.role || ' message names request ' || m.llm_request_uuid || case when r.uuid is null then ', which does not exist'
            else ', which names ' || coalesce(case when m.role = 'user' then r.prompt_message_uuid else r.response_message_uuid end::text, 'no message') end
        from chat_message m left join llm_request r on r.uuid = m.llm_request_uuid
        where m.llm_request_uuid is not null
          and (r.uuid is null or m.uuid is distinct from case when m.role = 'user' then r.prompt_message_uuid else r.response_message_uuid end)`,
    sql`select 'broken_link', jsonb_build_object('request', r.uuid, 'chat', r.chat_uuid, 'message', coalesce(r.response_message_uuid, r.prompt_message_uuid)),
          r.status || ' request whose ' || case when p.uuid is null then 'prompt message is missing' else 'answer is missing' end
        from llm_request r
          left join chat_message p on p.uuid = r.prompt_message_uuid
          left join chat_message a on a.uuid = r.response_message_uuid
        where r.status in ${ACTIVE} and (p.uuid is null or (r.response_message_uuid is not null and a.uuid is null))`,
    sql`select 'request_state_invalid', jsonb_build_object('request', r.uuid, 'chat', r.chat_uuid), concat_ws('; ',
          case when r.status not in ('queued', 'running', 'completed', 'failed', 'cancelled') then 'unknown status ' || r.status end,
          case when r.status = 'queued' and (r.attempt <> 0 or r.response_message_uuid is not null or r.lease_until is not null) then 'queued but already claimed' end,
          case when r.status = 'running' and r.lease_until is null then 'running without a lease: no poll can resume it' end,
          case when r.status = 'running' and (r.attempt < 1 or r.response_message_uuid is null or r.started_at is null) then 'running but never claimed' end,
          case when r.status in ${FINAL} and (r.lease_until is not null or r.finished_at is null or r.output is null) then 'finished without its final columns' end,
          case when r.cancel_requested <> (r.status = 'cancelled') then 'cancel_requested ' || r.cancel_requested || ' with status ' || r.status end,
          case when r.restart_floor < 0 then 'negative restart_floor' end)
        from llm_request r
        where r.status not in ('queued', 'running', 'completed', 'failed', 'cancelled')
          or (r.status = 'queued' and (r.attempt <> 0 or r.response_message_uuid is not null or r.lease_until is not null))
          or (r.status = 'running' and (r.lease_until is null or r.attempt < 1 or r.response_message_uuid is null or r.started_at is null))
          or (r.status in ${FINAL} and (r.lease_until is not null or r.finished_at is null or r.output is null))
          or r.cancel_requested <> (r.status = 'cancelled')
          or r.restart_floor < 0`,
    sql`select 'leftover_output_chunks', jsonb_build_object('request', r.uuid, 'chat', r.chat_uuid),
          count(*) || ' chunks left for a ' || r.status || ' request'
        from llm_output_chunk k join llm_request r on r.uuid = k.request_uuid
        where r.status in ${FINAL}
        group by r.uuid, r.chat_uuid, r.status`,
    // An ended answer's part events were folded into its message (docs/design.md §3.11).
    sql`select 'leftover_part_events', jsonb_build_object('request', r.uuid, 'chat', r.chat_uuid),
          count(*) || ' part events left for a ' || r.status || ' request'
        from llm_output_part p join llm_request r on r.uuid = p.request_uuid
        where r.status in ${FINAL}
        group by r.uuid, r.chat_uuid, r.status`,
    sql`select 'file_blob_orphan', jsonb_build_object('blob', b.sha256),
          case when (b.data is null) <> (b.storage = 's3') then b.storage || ' blob with' || case when b.data is null then 'out' else '' end || ' bytes in the row'
            else 'no attachment names this ' || b.storage || ' blob' end
        from file_blob b
        where (b.data is null) <> (b.storage = 's3') or not exists (select 1 from attachment a where a.sha256 = b.sha256)`,
    // A chat-less upload (the new-chat screen's) takes its chat when it is bound: never bound without one.
    sql`select 'attachment_foreign_message', jsonb_build_object('attachment', a.uuid, 'chat', a.chat_uuid, 'message', m.uuid),
          'attachment of ' || coalesce('chat ' || a.chat_uuid, 'no chat') || ' bound to a message of chat ' || m.chat_uuid
        from attachment a join chat_message m on m.uuid = a.message_uuid
        where m.chat_uuid is distinct from a.chat_uuid`,
    // Branches (docs/design.md §3.12).
    sql`select 'broken_parent', jsonb_build_object('chat', m.chat_uuid, 'message', m.uuid),
          case when p.uuid is null then 'its parent ' || m.parent_uuid || ' does not exist'
            when p.chat_uuid <> m.chat_uuid then 'its parent ' || p.uuid || ' is in chat ' || p.chat_uuid
            else 'its parent ' || p.uuid || ' is not older than it' end
        from chat_message m left join chat_message p on p.uuid = m.parent_uuid
        where m.parent_uuid is not null and (p.uuid is null or p.chat_uuid <> m.chat_uuid or (p.created_at, p.uuid) >= (m.created_at, m.uuid))`,
    sql`select 'version_selection', jsonb_build_object('chat', m.chat_uuid, 'parent', coalesce(m.parent_uuid::text, '')),
          count(*) filter (where m.selected) || ' of ' || count(*) || ' versions selected'
        from chat_message m
        group by m.chat_uuid, m.parent_uuid
        having count(*) filter (where m.selected) > 1
          or (count(*) filter (where m.selected) = 0 and not exists (select 1 from llm_request r
            where r.chat_uuid = m.chat_uuid and r.prompt_message_uuid = m.parent_uuid and r.status in ('queued', 'running')))`,
    sql`with recursive active as (
          select m.uuid from chat_message m where m.parent_uuid is null and m.selected
          union all
          select m.uuid from chat_message m join active a on m.parent_uuid = a.uuid where m.selected
        )
        select 'hidden_off_branch', jsonb_build_object('chat', m.chat_uuid, 'message', m.uuid),
          case when m.hidden then 'hidden on the active branch' else 'shown off the active branch' end
        from chat_message m where m.hidden = (m.uuid in (select uuid from active))`,
  ];
  if (leaseGraceMs !== undefined) {
    const grace = sql`make_interval(secs => ${leaseGraceMs / 1000})`;
    list.push(
      sql`select 'running_without_live_lease', jsonb_build_object('request', r.uuid, 'chat', r.chat_uuid),
            'attempt ' || r.attempt || ', lease expired ' || round(extract(epoch from now() - r.lease_until)::numeric, 1) || ' s ago'
          from llm_request r where r.status = 'running' and r.lease_until < now() - ${grace}`,
      sql`select 'queued_not_started', jsonb_build_object('request', r.uuid, 'chat', r.chat_uuid),
            'queued ' || round(extract(epoch from now() - r.created_at)::numeric, 1) || ' s ago'
          from llm_request r where r.status = 'queued' and r.created_at < now() - ${grace}`,
    );
  }
  return list;
}

/**
 * Every violation of the invariants above, in one snapshot. `leaseGraceMs` adds the liveness
 * rules: pass it only when every server that ran generations on this database is alive.
 */
export async function findInvariantViolations(opts: { leaseGraceMs?: number } = {}): Promise<Violation[]> {
  const db = await getDb();
  const branches = checks(opts.leaseGraceMs).map((q) => sql`(${q} limit ${sql.raw(String(LIMIT_PER_KIND))})`);
  const rows = await execRows<{ kind: InvariantKind; ids: Record<string, string> | string; detail: string | null }>(
    db,
    sql`select kind, ids, detail from (${sql.join(branches, sql` union all `)}) as v(kind, ids, detail) order by kind`,
  );
  return rows.map((r) => ({
    kind: r.kind,
    // postgres.js parses jsonb; PGlite too, but be tolerant of a driver that hands back text.
    ids: typeof r.ids === "string" ? (JSON.parse(r.ids) as Record<string, string>) : r.ids,
    detail: r.detail ?? "",
  }));
}
