/**
 * The change feed (docs/design.md §8.3): PostgreSQL's own LISTEN/NOTIFY tells this process what
 * changed, so that a poll that finds nothing new is answered from memory (poll-cache.ts) and
 * forgets exactly what changed, on every server of one database at once.
 *
 * Triggers (db/migrations/0005_change_feed.sql) announce every change a poll could see on one
 * channel, as keys: `c:<chat>` (the chat, its messages, generations and members), `k:<request>`
 * (a generation's output chunks), `u:<user>` (an account, its sessions and API tokens). Here
 * each key maps to the sequence number of the last notification that named it. A cached read
 * takes a stamp (the sequence number) *before* it asks the database, and stays fresh while no
 * key it depends on was named after its stamp: a change committed before the read's snapshot is
 * in what it read; one committed after is announced after it (notifications come after commit,
 * in commit order), so it names a key with a later number.
 *
 * What keeps it safe:
 * - Nothing is cached unless the feed is live: listening, and a probe sent through the pool came
 *   back. A listener that loses its connection drops everything (a new epoch) and is off until
 *   it listens again; a probe every HEARTBEAT_MS proves the path end to end, so a connection that
 *   died silently, or a transaction-mode pooler (which does not deliver notifications), turns
 *   the feed off instead of leaving stale answers.
 * - Read your own writes: a write request of this process answers only after this process has
 *   received the notifications of what it wrote (`sync`, called by the route guard), so the
 *   next poll of the same client cannot be answered from before its own change.
 * - POLL_CACHE=off, or Vercel (no process lives between requests): no feed, polls ask the
 *   database as before.
 *
 * State is on globalThis: Next loads this module once per bundle (instrumentation, the App
 * Router, the Pages routes), and they must share one listener.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { env } from "../env";
import { log } from "../log";
import { getDatabase } from "@/db/client";
import { rawRows } from "@/db/queries/raw";

export const CHANGES_CHANNEL = "pollchat_changes";
/** How often the path pool → PostgreSQL → listener is proven (one pg_notify per process). */
const HEARTBEAT_MS = 10_000;
/** A probe or a write's own notification not back within this: the feed is not working. */
const PROBE_TIMEOUT_MS = 2_000;
/** Keys remembered; past this everything is dropped at once (a new epoch), never a wrong answer. */
const MAX_KEYS = 200_000;

/** When a cached read was taken: valid only in the same epoch, for changes numbered after `seq`. */
export interface Stamp {
  epoch: number;
  seq: number;
}

interface FeedState {
  /** Notifications arrive and have been proven to: caching is allowed. */
  live: boolean;
  /** Why the feed is off, for the start log and /api/ready. */
  mode: "off" | "starting" | "live" | "down";
  epoch: number;
  seq: number;
  changed: Map<string, number>;
  waiting: Map<string, () => void>;
  probes: number;
  started: boolean;
  /** (Re)subscribes; set once the kind of database is known. */
  listen?: () => Promise<void>;
  listening: boolean;
  /** A heartbeat is under way (they never overlap). */
  beating: boolean;
}

const KEY = Symbol.for("pollchat.changeFeed");
const holder = globalThis as { [KEY]?: FeedState };
const state: FeedState = (holder[KEY] ??= {
  live: false,
  mode: "off",
  epoch: 0,
  seq: 0,
  changed: new Map(),
  waiting: new Map(),
  probes: 0,
  started: false,
  listening: false,
  beating: false,
});

/** Forget everything cached: a new epoch. */
function dropAll(): void {
  state.epoch++;
  state.changed.clear();
}

function received(payload: string): void {
  if (payload.startsWith("p:")) {
    const resolve = state.waiting.get(payload);
    if (resolve) {
      state.waiting.delete(payload);
      resolve();
    }
    return;
  }
  state.seq++;
  if (state.changed.size >= MAX_KEYS) dropAll();
  state.changed.set(payload, state.seq);
}

/** A stamp for a read about to be made, or undefined when nothing may be cached now. */
export function stamp(): Stamp | undefined {
  return state.live ? { epoch: state.epoch, seq: state.seq } : undefined;
}

/** Is what was read at `at` still what the database holds for these keys? */
export function fresh(at: Stamp, keys: readonly string[]): boolean {
  if (!state.live || at.epoch !== state.epoch) return false;
  for (const key of keys) if ((state.changed.get(key) ?? 0) > at.seq) return false;
  return true;
}

/** This process's probes, told apart from other servers' (every container may be pid 1). */
const INSTANCE = randomUUID();

/**
 * Sends a probe through the pool and waits for the listener to receive it: every notification
 * committed before it has then been received too (they come in commit order). False when it is
 * not back within PROBE_TIMEOUT_MS of the call, sending included.
 */
async function roundTrip(): Promise<boolean> {
  const token = `p:${INSTANCE}:${++state.probes}`;
  let timer: NodeJS.Timeout | undefined;
  const back = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
    timer.unref();
    state.waiting.set(token, () => resolve(true));
  });
  const sent = rawRows("select pg_notify($1, $2)", [CHANGES_CHANNEL, token]).then(
    () => true,
    (err: unknown) => {
      log().warn({ err }, "change feed: could not send a probe");
      return false;
    },
  );
  try {
    // Not back, or the send failed: false, whichever comes first.
    return await Promise.race([back, sent.then((ok) => (ok ? back : false))]);
  } finally {
    clearTimeout(timer);
    state.waiting.delete(token);
  }
}

/**
 * Read your own writes: resolves once this process has received the notifications of every
 * write committed before the call. Called by the route guard after a write request, before it
 * answers. When the round trip fails the cache is dropped instead (never a stale answer), and
 * the heartbeat proves the path again before anything is kept.
 */
export async function sync(): Promise<void> {
  if (!state.live) return;
  if (!(await roundTrip())) goDown("a write's notification did not come back");
}

function goDown(why: string): void {
  if (state.mode === "live" || state.mode === "starting") log().warn({ why }, "change feed down: polls ask the database until it is back");
  state.live = false;
  state.mode = "down";
  dropAll();
}

/** Proves the path and turns caching on, or off. */
async function prove(): Promise<void> {
  const wasLive = state.mode === "live";
  if (await roundTrip()) {
    if (!state.live) dropAll(); // whatever was missed while off is forgotten
    state.live = true;
    state.mode = "live";
    if (!wasLive) log().info("change feed live: polls that find nothing new are answered from memory (LISTEN/NOTIFY)");
  } else {
    goDown("a probe sent through the pool did not come back (a transaction-mode pooler does not deliver notifications)");
  }
}

/** Every HEARTBEAT_MS: listen again if not listening, then prove the path (a silent dead connection turns the feed off). */
async function heartbeat(): Promise<void> {
  if (state.mode === "off" || state.beating) return;
  state.beating = true;
  try {
    if (!state.listening && state.listen) {
      try {
        await state.listen();
      } catch (err) {
        goDown("cannot listen");
        log().debug({ err }, "change feed: listen failed");
        return;
      }
    }
    await prove();
  } finally {
    state.beating = false;
  }
}

/**
 * Starts listening (once per process) when POLL_CACHE allows it: PostgreSQL through a connection
 * of its own (DATABASE_LISTEN_URL, else DATABASE_URL), or the embedded PGlite's own listen. A
 * failure here is not fatal: the heartbeat tries again, and until then every poll asks.
 */
export async function startChangeFeed(): Promise<void> {
  if (state.started) return;
  state.started = true;
  const e = env();
  if (e.POLL_CACHE === "off" || e.VERCEL) {
    state.mode = "off";
    log().info({ reason: e.VERCEL ? "Vercel" : "POLL_CACHE=off" }, "change feed off: every poll asks the database");
    return;
  }
  state.mode = "starting";
  const handle = await getDatabase();
  if (handle.kind === "pglite") {
    const client = (handle.db as unknown as { $client: { listen(channel: string, cb: (payload: string) => void): Promise<() => Promise<void>> } }).$client;
    state.listen = async () => {
      await client.listen(CHANGES_CHANNEL, received);
      state.listening = true;
    };
  } else {
    await listenPostgres(e.DATABASE_LISTEN_URL ?? e.DATABASE_URL!);
  }
  setInterval(() => void heartbeat(), HEARTBEAT_MS).unref();
  await heartbeat();
}

/** LISTEN on a connection of its own; when it closes, off until it listens again (at once, then by the heartbeat). */
async function listenPostgres(url: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(url, {
    max: 1,
    idle_timeout: null as unknown as undefined,
    max_lifetime: null,
    connect_timeout: 10,
    fetch_types: false,
    onnotice: () => {},
    onnotify: (channel: string, payload: string) => {
      if (channel === CHANGES_CHANNEL) received(payload);
    },
    onclose: () => {
      state.listening = false;
      goDown("the listening connection closed");
      setTimeout(() => void heartbeat(), 100).unref();
    },
  } as Parameters<typeof postgres>[1]);
  state.listen = async () => {
    await sql.unsafe(`listen ${CHANGES_CHANNEL}`);
    state.listening = true;
  };
}
