/**
 * Issue #19 goal 3: a poll that finds nothing new runs 0 SQL statements. Counted, not inferred:
 * a throwaway PostgreSQL cluster of its own with pg_stat_statements (so that every statement
 * of the app's database is the app's), as bench/writes.ts makes. Needs a build, root and
 * Debian's postgresql-common.
 *
 *   node bench/idle-sql.ts [--polls 200] [--spacing-ms 5] [--json out.json]
 *
 * Two modes, each its own server on a fresh database of the cluster: POLL_CACHE unset (the
 * app's default, `auto`: idle polls may answer from an in-process cache that LISTEN/NOTIFY
 * invalidates) and POLL_CACHE=off (every poll asks the database): the second is the baseline
 * the first is read against. In each, a user with a chat holding one finished answer, that
 * chat shared by link, an API token, and a second chat with a second member; then, one kind
 * at a time, a few unmeasured polls, pg_stat_statements_reset(), `--polls` polls one after the
 * other `--spacing-ms` apart, and the statements counted. The counting runs as a role of its
 * own on a connection of its own, so the reset and the reads are left out by role (and by
 * text). LISTEN / UNLISTEN / NOTIFY / pg_notify are the cache's own traffic, not a poll's:
 * they are counted apart and left out of the verdict. So are presence heartbeats: in a chat
 * shared with others, a member's poll writes `seen_at` at most every 4 s so that the others see
 * them (lib/chat/presence.ts; with or without the cache): a write that keeps presence alive,
 * not a read of something new. They get their own column, and the verdict says if any ran.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { createThrowawayCluster, throwawayClusterUnavailable } from "../test/support/pg-cluster.ts";
import { anonymous } from "../test/support/client.ts";
import { answerTo, createChat, send, signUp, sleep, startStack, tokens, until, type MessageJson, type TestClient } from "./lib/harness.ts";

const { values } = parseArgs({
  options: {
    polls: { type: "string", default: "200" },
    "spacing-ms": { type: "string", default: "5" },
    json: { type: "string" },
  },
  strict: true,
});
const polls = Number(values.polls);
const spacingMs = Number(values["spacing-ms"]);
if (!Number.isInteger(polls) || polls < 1) throw new Error(`--polls must be a positive integer, not ${values.polls}`);
if (!Number.isFinite(spacingMs) || spacingMs < 0) throw new Error(`--spacing-ms must be a number >= 0, not ${values["spacing-ms"]}`);

const unavailable = throwawayClusterUnavailable();
if (unavailable) {
  console.error(`idle-sql: needs a throwaway PostgreSQL cluster, and ${unavailable}. Run it with DATABASE_URL set, as root, where pg_createcluster exists.`);
  process.exit(2);
}

/** The role the counting connects as: its own statements are left out by user id. */
const BENCH_ROLE = "idle_sql_bench";
const WARM_UP_POLLS = 3;
/** A poll's fire-and-forget write (presence, read state) lands within this after its answer. */
const SETTLE_MS = 200;

type Sql = ReturnType<typeof postgres>;

interface Mode {
  name: string;
  pollCache: string | undefined;
}
const MODES: Mode[] = [
  { name: "default (POLL_CACHE unset)", pollCache: undefined },
  { name: "POLL_CACHE=off", pollCache: "off" },
];

/** One kind of poll: who asks, what, and what "nothing new" looks like in the answer. */
interface PollKind {
  name: string;
  client: TestClient;
  path: string;
  /** Why the answer is not the idle one expected, or undefined when it is. */
  check(body: unknown): string | undefined;
  /** Run right before the warm-up (the other member shows up). */
  before?: () => Promise<void>;
}

interface Statement {
  query: string;
  calls: number;
}

interface Row {
  kind: string;
  mode: string;
  polls: number;
  seconds: number;
  statements: number;
  listenNotify: number;
  heartbeats: number;
  top: Statement[];
}

async function json<T>(res: Response, ...ok: number[]): Promise<T> {
  const text = await res.text();
  if (!ok.includes(res.status)) throw new Error(`${res.url} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** A chat with one message answered completely ("Done."): its answer and that answer's end. */
async function answeredChat(client: TestClient, chat: string): Promise<{ answer: MessageJson; end: number }> {
  const asked = await send(client, chat, '[[fake text="Done."]]');
  const answer = await answerTo(client, chat, asked.uuid);
  const end = await until("the answer to be final", async () => {
    const t = await tokens(client, answer.uuid, 0);
    if (t.status === "pending") return undefined;
    if (t.status !== "completed") throw new Error(`the answer ended ${t.status}`);
    return t.position;
  }, 30_000, 50);
  return { answer, end };
}

const noMessages = (body: unknown) => {
  const n = (body as { messages?: unknown[] }).messages?.length;
  return n === 0 ? undefined : `${n} messages where none are new`;
};
const twoMessages = (body: unknown) => {
  const n = (body as { messages?: unknown[] }).messages?.length;
  return n === 2 ? undefined : `${n} messages, not the chat's 2`;
};
const noTokens = (body: unknown) => {
  const t = body as { tokens?: string; status?: string; append?: boolean };
  return t.tokens === "" && t.status === "completed" && t.append === true ? undefined : `not "nothing new": ${JSON.stringify(t).slice(0, 200)}`;
};
const othersPresent = (body: unknown) => noMessages(body) ?? ((body as { presence?: unknown[] }).presence?.length ? undefined : "the other member is not present");

/** The user, chats, token and share link of one mode, and the poll kinds over them. */
async function setUp(baseUrl: string): Promise<PollKind[]> {
  const owner = await signUp(baseUrl);
  const chat = await createChat(owner);
  const { answer, end } = await answeredChat(owner, chat);
  const shareUuid = (await json<{ share: { shareUuid: string } }>(await owner.post(`/api/chats/${chat}/share`), 201)).share.shareUuid;
  const apiToken = (await json<{ token: string }>(await owner.post("/api/tokens", { name: "idle-sql bench" }), 201)).token;
  const bearer = anonymous(baseUrl, { authorization: `Bearer ${apiToken}` });
  const visitor = anonymous(baseUrl);

  const team = await createChat(owner);
  const invite = (await json<{ invite: { token: string } }>(await owner.post(`/api/chats/${team}/invites`, { role: "editor" }), 201)).invite.token;
  const member = await signUp(baseUrl);
  await json(await member.post(`/api/invites/${invite}`), 200);
  const teamAnswer = (await answeredChat(owner, team)).answer;

  return [
    { name: "(a) messages after the last (cookie)", client: owner, path: `/chat/${chat}/messages/${answer.uuid}`, check: noMessages },
    { name: "(b) messages, whole list (cookie)", client: owner, path: `/chat/${chat}/messages`, check: twoMessages },
    { name: "(c) tokens at the end (cookie)", client: owner, path: `/chat/message/${answer.uuid}/tokens/${end}`, check: noTokens },
    { name: "(d) messages after the last (bearer)", client: bearer, path: `/chat/${chat}/messages/${answer.uuid}`, check: noMessages },
    { name: "(d) tokens at the end (bearer)", client: bearer, path: `/chat/message/${answer.uuid}/tokens/${end}`, check: noTokens },
    { name: "(e) share: messages after the last", client: visitor, path: `/api/share/${shareUuid}/messages/${answer.uuid}`, check: noMessages },
    { name: "(e) share: messages, whole list", client: visitor, path: `/api/share/${shareUuid}/messages`, check: twoMessages },
    { name: "(e) share: tokens at the end", client: visitor, path: `/api/share/${shareUuid}/tokens/${answer.uuid}/${end}`, check: noTokens },
    {
      name: "(f) two-member chat: messages after the last",
      client: owner,
      path: `/chat/${team}/messages/${teamAnswer.uuid}`,
      check: othersPresent,
      // Present for 10 s after their poll: longer than a kind's run at the defaults.
      before: async () => {
        await json(await member.get(`/chat/${team}/messages/${teamAnswer.uuid}`), 200);
      },
    },
  ];
}

/** One poll; with `check`, why its answer is not the idle one expected (undefined: it is). */
async function poll(kind: PollKind, check: boolean): Promise<string | undefined> {
  const res = await kind.client.get(kind.path);
  if (res.status !== 200) throw new Error(`${kind.name}: GET ${kind.path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  if (!check) {
    await res.arrayBuffer();
    return undefined;
  }
  return kind.check(await res.json());
}

/** Unmeasured polls until the answer is the idle one (the other member's presence lands a moment after their poll). */
async function warmUp(kind: PollKind): Promise<void> {
  const end = Date.now() + 5_000;
  let why = await poll(kind, true);
  while (why && Date.now() < end) {
    await sleep(50);
    why = await poll(kind, true);
  }
  if (why) throw new Error(`${kind.name}: GET ${kind.path}: ${why}`);
  for (let i = 1; i < WARM_UP_POLLS; i++) {
    why = await poll(kind, true);
    if (why) throw new Error(`${kind.name}: GET ${kind.path}: ${why}`);
  }
}

const isListenNotify = (q: string) => /^\s*(listen|unlisten|notify)\b/i.test(q) || /\bpg_notify\s*\(/i.test(q);
/** A presence heartbeat (db/queries/presence.ts): the quiet one (a CTE, its literals normalized away) or drizzle's. */
const isHeartbeat = (q: string) => /\bupdate\s+"?chat_member"?\s+set\s+"?seen_at"?/i.test(q);

/** The app's statements since the last reset: the counting role's own are left out. */
async function statementsSinceReset(sql: Sql): Promise<{ statements: Statement[]; listenNotify: number; heartbeats: number }> {
  const rows = await sql<{ query: string; calls: string }[]>`
    select query, calls::text from pg_stat_statements
    where dbid = (select oid from pg_database where datname = current_database())
      and userid <> (select oid from pg_roles where rolname = current_user)
      and calls > 0`;
  const app = rows.filter((r) => !r.query.includes("pg_stat_statements")).map((r) => ({ query: r.query, calls: Number(r.calls) }));
  return {
    statements: app.filter((s) => !isListenNotify(s.query) && !isHeartbeat(s.query)).sort((a, b) => b.calls - a.calls),
    listenNotify: app.filter((s) => isListenNotify(s.query)).reduce((n, s) => n + s.calls, 0),
    heartbeats: app.filter((s) => !isListenNotify(s.query) && isHeartbeat(s.query)).reduce((n, s) => n + s.calls, 0),
  };
}

async function measure(sql: Sql, mode: Mode, kind: PollKind | undefined, n: number, idleMs: number): Promise<Row> {
  await kind?.before?.();
  if (kind) await warmUp(kind);
  await sleep(SETTLE_MS);
  // What the warm-up wrote in the background (the member's read marker, presence) has landed
  // by now and made the kept answer stale once: one more unmeasured poll reads it again.
  if (kind) await poll(kind, false);
  await sql`select pg_stat_statements_reset()`;
  const t0 = performance.now();
  let note: string | undefined;
  if (kind) {
    for (let i = 0; i < n; i++) {
      // The last one checked again. Not fatal: presence lasts 10 s, and a long run outlasts it.
      note = await poll(kind, i === n - 1);
      if (spacingMs > 0 && i < n - 1) await sleep(spacingMs);
    }
  } else {
    await sleep(idleMs);
  }
  const seconds = (performance.now() - t0) / 1000;
  await sleep(SETTLE_MS);
  const { statements, listenNotify, heartbeats } = await statementsSinceReset(sql);
  return {
    kind: (kind?.name ?? `background: no polls for ${(idleMs / 1000).toFixed(1)} s`) + (note ? ` (last poll: ${note})` : ""),
    mode: mode.name,
    polls: kind ? n : 0,
    seconds,
    statements: statements.reduce((s, x) => s + x.calls, 0),
    listenNotify,
    heartbeats,
    top: statements.slice(0, 3),
  };
}

/**
 * A statement on one table row: its start, its first FROM and its last WHERE (what tells the
 * member's poll from the share link's), whitespace folded.
 */
function shorten(query: string): string {
  const q = query.replace(/\s+/g, " ").trim();
  let out = q;
  if (q.length > 80) {
    const from = / from "?\w+"?( \w+)?/i.exec(q);
    const where = q.lastIndexOf(" where ");
    out = [
      `${q.slice(0, 28)}…`,
      from && from.index > 28 ? `${from[0]} …` : "",
      where > (from?.index ?? 0) ? `${q.slice(where, where + 32)} …` : "",
      ` (${q.length} chars)`,
    ].join("");
  }
  return out.replace(/\|/g, "\\|").replace(/`/g, "'");
}

function rowLine(r: Row): string {
  const perPoll = r.polls ? (r.statements / r.polls).toFixed(2) : "–";
  const top = r.top.map((s) => `\`${shorten(s.query)}\` ×${s.calls}`).join("<br>") || "–";
  return `| ${r.kind} | ${r.mode} | ${r.polls} | ${r.seconds.toFixed(1)} | ${r.statements} | ${perPoll} | ${r.listenNotify} | ${r.heartbeats} | ${top} |`;
}

const cluster = await createThrowawayCluster({ shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.track": "all" });
const rows: Row[] = [];
try {
  const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create role ${BENCH_ROLE} login superuser`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  for (const mode of MODES) {
    const stack = await startStack({ serverUrl: cluster.url, env: { POLL_CACHE: mode.pollCache } });
    const url = new URL(stack.databaseUrl!);
    url.username = BENCH_ROLE;
    const sql = postgres(url.toString(), { max: 1, onnotice: () => {}, fetch_types: false });
    try {
      await sql`create extension if not exists pg_stat_statements`;
      const kinds = await setUp(stack.app.url);
      const started = performance.now();
      for (const kind of kinds) rows.push(await measure(sql, mode, kind, polls, 0));
      // What the server runs with nobody polling, over a kind's mean run: not the polls' doing.
      const idleMs = Math.max(1000, (performance.now() - started) / kinds.length);
      rows.push(await measure(sql, mode, undefined, 0, idleMs));
    } finally {
      await sql.end({ timeout: 5 });
      await stack.stop();
    }
  }

  console.log(`\n## Idle polls: SQL statements per poll (issue #19 goal 3; PostgreSQL ${cluster.name}, pg_stat_statements, ${polls} polls a kind, ${spacingMs} ms apart)\n`);
  console.log("| poll kind | mode | polls | s | SQL statements | per poll | LISTEN/NOTIFY (left out) | presence heartbeats (left out) | top 3 by calls |");
  console.log("|---|---|---:|---:|---:|---:|---:|---:|---|");
  for (const r of rows) console.log(rowLine(r));
  console.log("");
  for (const mode of MODES) {
    const measured = rows.filter((r) => r.mode === mode.name && r.polls > 0);
    const met = measured.every((r) => r.statements === 0);
    const beats = measured.reduce((n, r) => n + r.heartbeats, 0);
    const note = mode.pollCache === "off" ? " (the baseline: polls always ask the database; the goal is judged in the default mode)" : "";
    const heartbeatNote = beats ? `; besides, ${beats} presence heartbeat write${beats === 1 ? "" : "s"} (shared chat, at most one per member every 4 s)` : "";
    console.log(`${mode.name}: goal 3 (idle polls run 0 SQL): ${met ? "MET" : "NOT MET"}${note}${heartbeatNote}`);
  }
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ polls, spacingMs, rows }, null, 2)}\n`);
} finally {
  cluster.drop();
}
