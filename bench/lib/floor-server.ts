/**
 * The floor for the polls' cost (issue #19, goal 1): a bare `node:http` server with postgres.js
 * that asks the SAME two questions as the app's polls, for a fixed user (no session to decode,
 * no guard, no logging, no metrics, no Next): what a poll cannot cost less than on this stack.
 * bench/poll-cost.ts runs it next to the app on the same database and reports each poll's
 * req/s against it.
 *
 *   GET /chat/message/{m}/tokens/{position}   the tokens poll's statement (message, the caller's
 *                                             membership, the output after a position)
 *   GET /chat/{c}/messages/{last}             the messages poll's statement after a last uuid
 *
 * The paths are the app's, so the bench points wrk at the same chat, message and position on
 * both. Each answer is one prepared statement (postgres.js names it by its text) on a pool
 * like the app's (db/client.ts: DATABASE_POOL_SIZE, default 10), its rows mapped to the
 * contract's JSON roughly as the app does (lib/chat/dto.ts, lib/chat/tokens.ts), and
 * JSON.stringify'd. Nothing else: no supervision, presence, replacement reads or htmx.
 *
 * Plain node, erasable TypeScript: `node bench/lib/floor-server.ts` with FLOOR_DATABASE_URL and
 * FLOOR_USER_ID prints `listening PORT` (FLOOR_PORT, default any free port). The statements are
 * copied from db/queries/polls.ts, which plain node cannot import for them (they are not
 * exported, and the module is server-only); test/unit/floor-statements.test.ts fails when a
 * copy drifts from the app's text.
 */
import http from "node:http";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { codePointLength, sliceFromCodePoint } from "../../lib/text.ts";

/**
 * The tokens poll: db/queries/polls.ts, messagePollSql("member") (MESSAGE_POLL.member).
 * $1 the message, $2 the user, $3 the position, $4 the queued grace in seconds.
 */
export const TOKENS_POLL_SQL = `
select m.uuid as uuid, m.chat_uuid as chat_uuid, m.role as role, m.content as content, m.status as status, m.llm_request_uuid as llm_request_uuid, m.error as error, m.author_id as author_id, m.parts as parts, m.parts_cursor as parts_cursor, m.parent_uuid as parent_uuid, m.selected as selected, m.hidden as hidden, m.notes as notes, m.created_at as created_at, cm.role as member_role,
  r.uuid as req_uuid, r.status as req_status, r.attempt as req_attempt, r.restart_floor as req_restart_floor,
  coalesce((r.status = 'running' and r.lease_until < now()) or (r.status = 'queued' and r.created_at < now() - make_interval(secs => $4::float8)), false) as stale, (case when r.status = 'running' then extract(epoch from r.lease_until - now()) when r.status = 'queued' then extract(epoch from r.created_at - now()) + $4::float8 end)::float8 as valid_for, u.id as reader_id,
  s.slice_from, s.slice_text
from chat_message m

join chat_member cm on cm.chat_uuid = m.chat_uuid and cm.user_id = $2
          join "user" u on u.id = cm.user_id and u.disabled_at is null
left join llm_request r on r.uuid = m.llm_request_uuid
left join lateral (
  select min(k.start_pos) as slice_from, string_agg(k.text, '' order by k.start_pos) as slice_text
  from llm_output_chunk k
  where k.request_uuid = r.uuid and k.attempt = r.attempt
    and k.start_pos >= coalesce((select max(k2.start_pos) from llm_output_chunk k2
      where k2.request_uuid = r.uuid and k2.attempt = r.attempt and k2.start_pos <= $3::int), 0)
) s on true

where m.uuid = $1
limit 1`;

/**
 * The messages poll after a last uuid: db/queries/polls.ts, chatPollSql("member", true)
 * (CHAT_POLL.member.after). $1 the chat, $2 the user, $3 the queued grace in seconds, $4 the
 * last uuid.
 */
export const MESSAGES_AFTER_POLL_SQL = `
select c.uuid as uuid, c.user_id as user_id, c.title as title, c.status as status, c.agent as agent, c.params as params, c.created_at as created_at, c.updated_at as updated_at, c.last_message_at as last_message_at, c.share_uuid as share_uuid, cm.role as member_role, cm.last_read_at as last_read_at,
  r.uuid as active_uuid, r.status as active_status, coalesce((r.status = 'running' and r.lease_until < now()) or (r.status = 'queued' and r.created_at < now() - make_interval(secs => $3::float8)), false) as stale,
  least((case when r.status = 'running' then extract(epoch from r.lease_until - now()) when r.status = 'queued' then extract(epoch from r.created_at - now()) + $3::float8 end)::float8, p.present_valid_for) as valid_for,
  rq.id as requester_id, coalesce(nullif(btrim(rq.name), ''), split_part(rq.email, '@', 1), 'Guest') as requester_name, p.member_count, p.present,
  a.uuid as m_uuid, a.chat_uuid as m_chat_uuid, a.role as m_role, a.content as m_content, a.status as m_status, a.llm_request_uuid as m_llm_request_uuid, a.error as m_error, a.author_id as m_author_id, a.parts as m_parts, a.parts_cursor as m_parts_cursor, a.parent_uuid as m_parent_uuid, a.selected as m_selected, a.hidden as m_hidden, a.notes as m_notes, a.created_at as m_created_at, a.poll_content as m_poll_content, a.author_name as m_author_name, a.poll_events as m_poll_events,
  a.versions as m_versions, a.poll_attachments as m_poll_attachments
from chat c
join chat_member cm on cm.chat_uuid = c.uuid and cm.user_id = $2
          join "user" u on u.id = cm.user_id and u.disabled_at is null
left join llm_request r on r.chat_uuid = c.uuid and r.status in ('queued', 'running')
left join "user" rq on rq.id = r.user_id
left join lateral (
        select count(*)::int as member_count,
          json_agg(json_build_object('userId', pm.user_id, 'name', coalesce(nullif(btrim(pu.name), ''), split_part(pu.email, '@', 1), 'Guest'),
              'typing', coalesce(pm.typing_at > now() - make_interval(secs => 5), false)) order by pm.seen_at)
            filter (where pm.user_id <> $2 and pm.seen_at > now() - make_interval(secs => 10)) as present,
          (min(least(extract(epoch from pm.seen_at - now()) + 10,
              case when pm.typing_at > now() - make_interval(secs => 5) then extract(epoch from pm.typing_at - now()) + 5 end))
            filter (where pm.user_id <> $2 and pm.seen_at > now() - make_interval(secs => 10)))::float8 as present_valid_for
        from chat_member pm join "user" pu on pu.id = pm.user_id
        where pm.chat_uuid = c.uuid
      ) p on true
left join lateral (
  select m.*,
    case when m.uuid = $4::uuid then ''
      when m.role = 'assistant' and m.status = 'pending' then coalesce(pc.text, '')
      else m.content end as poll_content,
    case when au.id is null then null else coalesce(nullif(btrim(au.name), ''), split_part(au.email, '@', 1), 'Guest') end as author_name,
    pp.events as poll_events, fa.attachments as poll_attachments,
    -- Its versions (docs/design.md §3.12), when it has others: one index range per message
    -- (chat_message_parent_idx), none for the anchor (the client has it).
    case when m.uuid is distinct from $4::uuid then (
      select case when count(*) > 1 then json_agg(v.uuid order by v.created_at, v.uuid) end
      from (
        select v.uuid, v.created_at from chat_message v where v.chat_uuid = m.chat_uuid and v.parent_uuid = m.parent_uuid
        union all
        select v.uuid, v.created_at from chat_message v where m.parent_uuid is null and v.chat_uuid = m.chat_uuid and v.parent_uuid is null
      ) v
    ) end as versions
  from chat_message m
  left join "user" au on au.id = m.author_id
  left join lateral (
    select string_agg(k.text, '' order by k.start_pos) as text
    from llm_request pr join llm_output_chunk k on k.request_uuid = pr.uuid and k.attempt = pr.attempt
    where pr.uuid = m.llm_request_uuid and m.role = 'assistant' and m.status = 'pending'
      and m.uuid is distinct from $4::uuid -- the anchor's text is left out: not read either
  ) pc on true
  left join lateral (
    select json_agg(json_build_object('seq', p.seq, 'event', p.event) order by p.seq) as events
    from llm_request pr join llm_output_part p on p.request_uuid = pr.uuid and p.attempt = pr.attempt
    where pr.uuid = m.llm_request_uuid and m.role = 'assistant' and m.status = 'pending'
      and m.uuid is distinct from $4::uuid
  ) pp on true
  left join lateral (
    -- A user message's files (docs/design.md §3.13), by attachment_message_idx; not the anchor's.
    select json_agg(json_build_object('uuid', f.uuid, 'name', f.name, 'mediaType', f.media_type, 'size', f.size) order by f.created_at, f.uuid) as attachments
    from attachment f
    where f.message_uuid = m.uuid and m.role = 'user' and m.uuid is distinct from $4::uuid
  ) fa on true
  where m.chat_uuid = c.uuid and not m.hidden
    and (m.created_at, m.uuid) >= (select created_at, uuid from chat_message where uuid = $4::uuid and chat_uuid = c.uuid and not hidden)
) a on true
where c.uuid = $1
order by a.created_at, a.uuid`;

/** The app's default QUEUED_GRACE_MS (lib/env.ts), in seconds. */
const QUEUED_GRACE_SECONDS = 5;

/** TOKENS_POLL_SQL's parameters, in the order db/queries/polls.ts readMessagePoll passes them. */
export const tokensParams = (messageUuid: string, userId: string, position: number): unknown[] => [messageUuid, userId, position, QUEUED_GRACE_SECONDS];

/** MESSAGES_AFTER_POLL_SQL's parameters, in the order db/queries/polls.ts readChatPoll passes them. */
export const messagesParams = (chatUuid: string, userId: string, lastUuid: string): unknown[] => [chatUuid, userId, QUEUED_GRACE_SECONDS, lastUuid];

type Row = Record<string, unknown>;

const iso = (v: unknown): string => (v instanceof Date ? v : new Date(v as string)).toISOString();

/** The tokens answer from the statement's row (lib/chat/tokens.ts planTokens, its common cases). */
export function tokensAnswer(row: Row, position: number): unknown {
  const streaming = row.role === "assistant" && row.status === "pending" && row.req_uuid !== null;
  const text = streaming ? ((row.slice_text as string | null) ?? "") : ((row.content as string | null) ?? "");
  const from = streaming ? Number(row.slice_from ?? 0) : 0;
  const end = from + codePointLength(text);
  const error = row.error ? { error: row.error } : {};
  if (position > end) return { tokens: text, status: row.status, append: false, position: end, ...error };
  return { tokens: sliceFromCodePoint(text, position - from), status: row.status, append: true, position: end, ...error };
}

/** The messages answer from the statement's rows, the anchor first (lib/chat/polls.ts getMessages, lib/chat/dto.ts). */
export function messagesAnswer(rows: Row[]): unknown {
  const row = rows[0]!;
  const params = (typeof row.params === "string" ? JSON.parse(row.params) : row.params) as { model?: string } | null;
  const memberCount = Number(row.member_count ?? 1);
  const present = (typeof row.present === "string" ? JSON.parse(row.present) : row.present) as unknown[] | null;
  const messages = rows.slice(1).filter((r) => r.m_uuid !== null).map((r) => {
    const content = (r.m_poll_content as string | null) ?? "";
    return {
      uuid: r.m_uuid,
      chatUuid: r.m_chat_uuid,
      role: r.m_role,
      content,
      status: r.m_status,
      position: codePointLength(content),
      createdAt: iso(r.m_created_at),
      ...(r.m_error ? { error: r.m_error } : {}),
      ...(r.m_role === "user" && r.m_author_id ? { author: { id: r.m_author_id, name: r.m_author_name ?? "Someone" } } : {}),
    };
  });
  return {
    messages,
    chat: {
      uuid: row.uuid,
      title: row.title,
      status: row.status,
      agent: row.agent,
      model: params?.model ?? null,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      role: row.member_role,
      shared: memberCount > 1,
    },
    presence: present ?? [],
    generation: row.active_uuid ? { status: row.active_status, requestedBy: row.requester_id ? { id: row.requester_id, name: row.requester_name ?? "Someone" } : null } : null,
  };
}

const TOKENS = /^\/chat\/message\/([0-9a-f-]{36})\/tokens\/(\d+)$/;
const MESSAGES_AFTER = /^\/chat\/([0-9a-f-]{36})\/messages\/([0-9a-f-]{36})$/;

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
}

/** The floor server (not listening yet). */
export function createFloorServer(opts: { databaseUrl: string; userId: string; poolSize?: number }): { server: http.Server; close(): Promise<void> } {
  const sql = postgres(opts.databaseUrl, { max: opts.poolSize ?? 10, connect_timeout: 10, idle_timeout: 30, onnotice: () => {} });
  const run = (text: string, params: unknown[]) => sql.unsafe(text, params as never[], { prepare: true }) as unknown as Promise<Row[]>;
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    let m: RegExpExecArray | null;
    let answer: Promise<void>;
    if ((m = TOKENS.exec(url))) {
      const position = Number(m[2]);
      answer = run(TOKENS_POLL_SQL, tokensParams(m[1]!, opts.userId, position)).then((rows) =>
        rows[0] ? send(res, 200, tokensAnswer(rows[0], position)) : send(res, 404, { error: { code: "not_found" } }),
      );
    } else if ((m = MESSAGES_AFTER.exec(url))) {
      const last = m[2]!;
      answer = run(MESSAGES_AFTER_POLL_SQL, messagesParams(m[1]!, opts.userId, last)).then((rows) =>
        rows[0] && rows[0].m_uuid === last ? send(res, 200, messagesAnswer(rows)) : send(res, 404, { error: { code: "not_found" } }),
      );
    } else {
      return send(res, 404, { error: { code: "not_found" } });
    }
    answer.catch((err: unknown) => {
      if (!res.headersSent) send(res, 503, { error: { code: "unavailable", message: String(err) } });
    });
  });
  return {
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await sql.end({ timeout: 1 });
    },
  };
}

export interface FloorServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Runs the floor server in a process of its own (like the app's), resolved once it listens. */
export function startFloorServer(opts: { databaseUrl: string; userId: string; env?: Record<string, string> }): Promise<FloorServer> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [self], {
    env: { ...process.env, ...opts.env, FLOOR_DATABASE_URL: opts.databaseUrl, FLOOR_USER_ID: opts.userId },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const onExit = (code: number | null) => reject(new Error(`the floor server exited (${code}) before listening: ${out}`));
    child.once("exit", onExit);
    child.once("error", reject);
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /listening (\d+)/.exec(out);
      if (!m) return;
      child.off("exit", onExit);
      resolve({
        url: `http://127.0.0.1:${m[1]}`,
        child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const databaseUrl = process.env.FLOOR_DATABASE_URL;
  const userId = process.env.FLOOR_USER_ID;
  if (!databaseUrl || !userId) {
    console.error("floor-server: set FLOOR_DATABASE_URL and FLOOR_USER_ID");
    process.exit(2);
  }
  const floor = createFloorServer({ databaseUrl, userId, poolSize: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
  floor.server.keepAliveTimeout = 65_000;
  floor.server.listen(Number(process.env.FLOOR_PORT ?? 0), "127.0.0.1", () => {
    console.log(`listening ${(floor.server.address() as { port: number }).port}`);
  });
  process.once("SIGTERM", () => void floor.close().then(() => process.exit(0)));
}
