/**
 * The polls' two reads, each written once with the reader's access as a parameter
 * (docs/design.md §8.1 and §9): a member (their membership joined, their account active) or
 * anyone holding a share link (the chat's share uuid, its owner's account active). The same
 * statement serves the React client, the htmx fragments, the share page and export, and a
 * chat that is not the reader's is the same empty result as one that does not exist (404).
 *
 * Hand-written, prepared and run on the driver (db/queries/raw.ts: a poll comes every 300 ms
 * from every open tab); select lists and row decoding come from the schema (rows.ts).
 */
import "server-only";
import { chatMessages, chats, type Chat, type ChatMessage, type LlmStatus, type MemberRole } from "../schema.ts";
import { columnsOf, decoderOf, type RawRow } from "./rows.ts";
import { rawRows } from "./raw.ts";
import { displayNameSql, staleInSql, staleSql } from "./fragments.ts";
import { PRESENCE_WINDOW_SECONDS, TYPING_WINDOW_SECONDS, type PresentMember } from "./presence.ts";
import { lastCursor, type NumberedEvent } from "./parts.ts";
import { applyPartEvents } from "../../lib/parts.ts";
import type { AttachmentMeta } from "../../lib/files/dto.ts";

/** Who reads: a member of the chat, or anyone with the chat's share link. */
export type PollAccess = { kind: "member"; userId: string } | { kind: "share"; shareUuid: string };

/** The generation in flight in a chat. */
export interface ActiveRequest {
  uuid: string;
  status: "queued" | "running";
  /** Its runner is gone (computed by the database's clock): the poll resumes it. */
  stale: boolean;
  /** Who asked for it (members only; a share link names nobody). */
  requestedBy: { id: string; name: string } | null;
}

/**
 * A message as the polls read it: a pending answer's content is its text so far; `versions`:
 * the uuids of it and its other versions, oldest first, when it has any (§3.12); a user
 * message's files (§3.13).
 */
export type MessageRow = ChatMessage & { authorName: string | null; versions?: string[]; attachments?: AttachmentMeta[] | null };

/** The chat as its reader sees it, with its messages after the last uuid. */
export interface ChatPoll {
  chat: Chat;
  /** The reader's role; a share link reads as a viewer. */
  role: MemberRole;
  active: ActiveRequest | null;
  memberCount: number;
  /** The other members who have the chat open now (none for a share link). */
  present: PresentMember[];
  /** The member's read state: everything up to this time has been seen. */
  lastReadAt: Date | null;
  /**
   * The active branch from the last uuid on (exclusive), oldest first; undefined: that uuid is
   * not in the chat, or no longer on its active branch (a switch, a regeneration, an edit).
   */
  messages: MessageRow[] | undefined;
  /** How long this answer stays right without a change (a lease or a presence running out); null: until a change. */
  validForMs: number | null;
}

/** A message with the state of its generation and, when it has output, its text from `position`. */
export interface MessagePoll {
  message: ChatMessage;
  role: MemberRole;
  request: { uuid: string; status: LlmStatus; attempt: number; restartFloor: number; stale: boolean } | null;
  /** The output of the current attempt from the chunk that holds `position` on. */
  output: OutputSlice;
  /** Asked with parts: the current attempt's part events from `from` (a sequence number) on. */
  events?: { from: number; list: NumberedEvent[] };
  /** The account the access went through: the member, or the owner of a shared chat. */
  readerId: string;
  /** How long this answer stays right without a change (its generation's lease); null: until a change. */
  validForMs: number | null;
}

export interface OutputSlice {
  /** Start position (code points) of the first returned chunk. */
  from: number;
  text: string;
}

// ------------------------------------------------------------------ access

/** How each kind of reader reaches a chat aliased `c` (or a message's chat), and what it may see. */
function accessSql(kind: PollAccess["kind"], chatColumn: string, key: string) {
  return kind === "member"
    ? {
        join: `join chat_member cm on cm.chat_uuid = ${chatColumn} and cm.user_id = ${key}
          join "user" u on u.id = cm.user_id and u.disabled_at is null`,
        role: "cm.role",
        lastReadAt: "cm.last_read_at",
      }
    : {
        join: `join "user" u on u.id = c.user_id and u.disabled_at is null`,
        role: "'viewer'",
        lastReadAt: "null::timestamptz",
      };
}

function accessParam(access: PollAccess): string {
  return access.kind === "member" ? access.userId : access.shareUuid;
}

/** A number of seconds from the database as milliseconds; null stays null. */
function millis(seconds: unknown): number | null {
  return seconds === null || seconds === undefined ? null : Number(seconds) * 1000;
}

// ------------------------------------------------------------------ the messages poll

/**
 * $1 the chat (a member: its uuid; a share link: its share uuid), $2 the user (members only),
 * then the queued grace in seconds and, `after` a message, its uuid. Two texts per access (all
 * messages, or after one) so that each keeps its own plan: the range read after the last uuid
 * stays an index range however long the chat.
 */
function chatPollSql(kind: PollAccess["kind"], after: boolean): string {
  const member = kind === "member";
  const grace = member ? "$3::float8" : "$2::float8";
  const last = !after ? "null::uuid" : member ? "$4::uuid" : "$3::uuid";
  const a = accessSql(kind, "c.uuid", "$2");
  const presence = member
    ? `left join lateral (
        select count(*)::int as member_count,
          json_agg(json_build_object('userId', pm.user_id, 'name', ${displayNameSql("pu")},
              'typing', coalesce(pm.typing_at > now() - make_interval(secs => ${TYPING_WINDOW_SECONDS}), false)) order by pm.seen_at)
            filter (where pm.user_id <> $2 and pm.seen_at > now() - make_interval(secs => ${PRESENCE_WINDOW_SECONDS})) as present,
          (min(least(extract(epoch from pm.seen_at - now()) + ${PRESENCE_WINDOW_SECONDS},
              case when pm.typing_at > now() - make_interval(secs => ${TYPING_WINDOW_SECONDS}) then extract(epoch from pm.typing_at - now()) + ${TYPING_WINDOW_SECONDS} end))
            filter (where pm.user_id <> $2 and pm.seen_at > now() - make_interval(secs => ${PRESENCE_WINDOW_SECONDS})))::float8 as present_valid_for
        from chat_member pm join "user" pu on pu.id = pm.user_id
        where pm.chat_uuid = c.uuid
      ) p on true`
    : "";
  return `
select ${columnsOf(chats, "c")}, ${a.role} as member_role, ${a.lastReadAt} as last_read_at,
  r.uuid as active_uuid, r.status as active_status, ${staleSql("r", grace)} as stale,
  least(${staleInSql("r", grace)}, ${member ? "p.present_valid_for" : "null"}) as valid_for,
  ${member ? `rq.id as requester_id, ${displayNameSql("rq")} as requester_name, p.member_count, p.present` : "null as requester_id, null as requester_name, 1 as member_count, null as present"},
  ${columnsOf(chatMessages, "a", "m_")}, a.poll_content as m_poll_content, a.author_name as m_author_name, a.poll_events as m_poll_events,
  a.versions as m_versions, a.poll_attachments as m_poll_attachments
from chat c
${a.join}
left join llm_request r on r.chat_uuid = c.uuid and r.status in ('queued', 'running')
${member ? `left join "user" rq on rq.id = r.user_id` : ""}
${presence}
left join lateral (
  select m.*,
    case when m.uuid = ${last} then ''
      when m.role = 'assistant' and m.status = 'pending' then coalesce(pc.text, '')
      else m.content end as poll_content,
    ${member ? `case when au.id is null then null else ${displayNameSql("au")} end` : "null"} as author_name,
    pp.events as poll_events, fa.attachments as poll_attachments,
    ${
      member
        ? `-- Its versions (docs/design.md §3.12), when it has others: one index range per message
    -- (chat_message_parent_idx), none for the anchor (the client has it).
    case when m.uuid is distinct from ${last} then (
      select case when count(*) > 1 then json_agg(v.uuid order by v.created_at, v.uuid) end
      from (
        select v.uuid, v.created_at from chat_message v where v.chat_uuid = m.chat_uuid and v.parent_uuid = m.parent_uuid
        union all
        select v.uuid, v.created_at from chat_message v where m.parent_uuid is null and v.chat_uuid = m.chat_uuid and v.parent_uuid is null
      ) v
    ) end`
        : "null" // a share link switches nothing: its readers are not given versions
    } as versions
  from chat_message m
  ${member ? `left join "user" au on au.id = m.author_id` : ""}
  left join lateral (
    select string_agg(k.text, '' order by k.start_pos) as text
    from llm_request pr join llm_output_chunk k on k.request_uuid = pr.uuid and k.attempt = pr.attempt
    where pr.uuid = m.llm_request_uuid and m.role = 'assistant' and m.status = 'pending'
      and m.uuid is distinct from ${last} -- the anchor's text is left out: not read either
  ) pc on true
  left join lateral (
    select json_agg(json_build_object('seq', p.seq, 'event', p.event) order by p.seq) as events
    from llm_request pr join llm_output_part p on p.request_uuid = pr.uuid and p.attempt = pr.attempt
    where pr.uuid = m.llm_request_uuid and m.role = 'assistant' and m.status = 'pending'
      and m.uuid is distinct from ${last}
  ) pp on true
  left join lateral (
    -- A user message's files (docs/design.md §3.13), by attachment_message_idx; not the anchor's.
    select json_agg(json_build_object('uuid', f.uuid, 'name', f.name, 'mediaType', f.media_type, 'size', f.size) order by f.created_at, f.uuid) as attachments
    from attachment f
    where f.message_uuid = m.uuid and m.role = 'user' and m.uuid is distinct from ${last}
  ) fa on true
  where m.chat_uuid = c.uuid and not m.hidden
    ${after ? `and (m.created_at, m.uuid) >= (select created_at, uuid from chat_message where uuid = ${last} and chat_uuid = c.uuid and not hidden)` : ""}
) a on true
where ${member ? "c.uuid = $1" : "c.share_uuid = $1"}
order by a.created_at, a.uuid`;
}

const CHAT_POLL = {
  member: { all: chatPollSql("member", false), after: chatPollSql("member", true) },
  share: { all: chatPollSql("share", false), after: chatPollSql("share", true) },
};
const decodeChat = decoderOf(chats);
const decodeMessage = decoderOf(chatMessages, "m_");

/**
 * The messages poll in one round trip and one snapshot: the chat as its reader sees it (its
 * generation in flight, presence, read state) and the messages of its active branch after
 * `lastUuid` (all when absent), a pending answer with its text so far. Undefined: not the reader's chat.
 */
export async function readChatPoll(access: PollAccess, input: { chat: string; lastUuid?: string; queuedGraceMs: number }): Promise<ChatPoll | undefined> {
  const last = input.lastUuid ?? null;
  const params: unknown[] = access.kind === "member" ? [input.chat, access.userId, input.queuedGraceMs / 1000] : [input.chat, input.queuedGraceMs / 1000];
  if (last !== null) params.push(last);
  const rows = await rawRows<RawRow>(CHAT_POLL[access.kind][last === null ? "all" : "after"], params, { read: true });
  const [row] = rows;
  if (!row) return undefined;
  const activeStatus = row.active_status;
  const active: ActiveRequest | null =
    row.active_uuid && (activeStatus === "queued" || activeStatus === "running")
      ? {
          uuid: row.active_uuid as string,
          status: activeStatus,
          stale: Boolean(row.stale),
          requestedBy: row.requester_id ? { id: row.requester_id as string, name: (row.requester_name as string | null) ?? "Someone" } : null,
        }
      : null;
  const present = (typeof row.present === "string" ? JSON.parse(row.present) : row.present) as PresentMember[] | null;
  const withMessages = rows.filter((r) => r.m_uuid !== null && r.m_uuid !== undefined);
  // After a last uuid the anchor row comes first (its text left out: the client has it); no
  // anchor: that uuid is not in this chat.
  const messages = last === null ? withMessages : row.m_uuid === last ? withMessages.slice(1) : undefined;
  return {
    chat: decodeChat(row),
    role: row.member_role as MemberRole,
    active,
    memberCount: Number(row.member_count ?? 1),
    present: present ?? [],
    lastReadAt: row.last_read_at ? new Date(row.last_read_at as string) : null,
    messages: messages?.map((r) =>
      withPendingParts(
        withVersions(
          {
            ...decodeMessage(r),
            content: (r.m_poll_content as string | null) ?? "",
            authorName: (r.m_author_name as string | null) ?? null,
            attachments: jsonOf<AttachmentMeta[]>(r.m_poll_attachments),
          },
          r.m_versions,
        ),
        r.m_poll_events,
      ),
    ),
    validForMs: millis(row.valid_for),
  };
}

function withVersions(message: MessageRow, raw: unknown): MessageRow {
  const versions = jsonOf<string[]>(raw);
  return versions ? { ...message, versions } : message;
}

/** A pending answer's parts so far, folded from its events (an ended one has them in its row). */
function withPendingParts(message: MessageRow, raw: unknown): MessageRow {
  const events = jsonOf<NumberedEvent[]>(raw);
  if (!events?.length) return message;
  return { ...message, parts: applyPartEvents([], events.map((e) => e.event)), partsCursor: lastCursor(events) };
}

/** A json column as the driver gave it (PGlite: parsed; postgres.js raw: text). */
function jsonOf<T>(raw: unknown): T | null {
  if (raw === null || raw === undefined) return null;
  return (typeof raw === "string" ? JSON.parse(raw) : raw) as T;
}

// ------------------------------------------------------------------ the tokens poll

/**
 * $1 the message, $2 the user (member) or the share uuid (share link), $3 position, $4 queued
 * grace (s); with `parts`, $5 the first part event wanted (its sequence number).
 */
function messagePollSql(kind: PollAccess["kind"], parts: boolean): string {
  const a = accessSql(kind, "m.chat_uuid", "$2");
  return `
select ${columnsOf(chatMessages, "m")}, ${a.role} as member_role,
  r.uuid as req_uuid, r.status as req_status, r.attempt as req_attempt, r.restart_floor as req_restart_floor,
  ${staleSql("r", "$4::float8")} as stale, ${staleInSql("r", "$4::float8")} as valid_for, u.id as reader_id,
  s.slice_from, s.slice_text${parts ? ", pe.events" : ""}
from chat_message m
${kind === "share" ? "join chat c on c.uuid = m.chat_uuid and c.share_uuid = $2" : ""}
${a.join}
left join llm_request r on r.uuid = m.llm_request_uuid
left join lateral (
  select min(k.start_pos) as slice_from, string_agg(k.text, '' order by k.start_pos) as slice_text
  from llm_output_chunk k
  where k.request_uuid = r.uuid and k.attempt = r.attempt
    and k.start_pos >= coalesce((select max(k2.start_pos) from llm_output_chunk k2
      where k2.request_uuid = r.uuid and k2.attempt = r.attempt and k2.start_pos <= $3::int), 0)
) s on true
${
  parts
    ? `left join lateral (
  select json_agg(json_build_object('seq', p.seq, 'event', p.event) order by p.seq) as events
  from llm_output_part p
  where p.request_uuid = r.uuid and p.attempt = r.attempt and p.seq >= $5::int and m.status = 'pending'
) pe on true`
    : ""
}
where m.uuid = $1
limit 1`;
}

const MESSAGE_POLL = {
  member: { text: messagePollSql("member", false), parts: messagePollSql("member", true) },
  share: { text: messagePollSql("share", false), parts: messagePollSql("share", true) },
};
const decodeOwnMessage = decoderOf(chatMessages);

/**
 * The tokens poll in one round trip: the message, its generation, and the output of its
 * current attempt from the chunk holding `position` on, in one snapshot. Undefined: not the
 * reader's message.
 */
export async function readMessagePoll(
  access: PollAccess,
  input: { messageUuid: string; position: number; queuedGraceMs: number; partsFrom?: number },
): Promise<MessagePoll | undefined> {
  const params: unknown[] = [input.messageUuid, accessParam(access), input.position, input.queuedGraceMs / 1000];
  if (input.partsFrom !== undefined) params.push(input.partsFrom);
  const [row] = await rawRows<RawRow>(MESSAGE_POLL[access.kind][input.partsFrom === undefined ? "text" : "parts"], params, { read: true });
  if (!row) return undefined;
  return {
    message: decodeOwnMessage(row),
    role: row.member_role as MemberRole,
    request:
      row.req_uuid && row.req_status
        ? {
            uuid: row.req_uuid as string,
            status: row.req_status as LlmStatus,
            attempt: Number(row.req_attempt ?? 0),
            restartFloor: Number(row.req_restart_floor ?? 0),
            stale: Boolean(row.stale),
          }
        : null,
    output: { from: Number(row.slice_from ?? 0), text: (row.slice_text as string | null) ?? "" },
    ...(input.partsFrom === undefined ? {} : { events: { from: input.partsFrom, list: jsonOf<NumberedEvent[]>(row.events) ?? [] } }),
    readerId: row.reader_id as string,
    validForMs: millis(row.valid_for),
  };
}
