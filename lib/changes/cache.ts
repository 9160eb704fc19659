/**
 * Reads kept in memory while the change feed says nothing they depend on changed
 * (docs/design.md §8.3): the polls' two reads and the identity behind a poll. An entry names
 * the feed keys it depends on (`c:<chat>`, `k:<request>`, `u:<user>`), the stamp taken before
 * it was read, and how long it is right at most without any change (a lease that runs out, a
 * presence that expires), measured from before the read. Only positive answers are kept: a
 * miss (not found, no access) always asks the database.
 *
 * On globalThis, one per name: Next's bundles each load this module, and the App Router's
 * share polls and the Pages routes' chat polls may read the same entries.
 */
import "server-only";
import { fresh, stamp, type Stamp } from "./feed";
import { pollCacheLookup, pollCacheShared } from "../metrics";

/** What a read's result depends on, as `set` takes it. */
export interface Usable {
  keys: readonly string[];
  validForMs: number | null;
}

/** A read about to be made: the feed's stamp and the time it started. */
export type Begun = Stamp & { started: number };

interface Entry<V> {
  value: V;
  at: Begun;
  keys: readonly string[];
  /** Date.now() past which it is read again. */
  until: number;
}

/** Entries per cache; past it the oldest go first (Map keeps insertion order). */
const MAX_ENTRIES = 50_000;
/** Bytes (estimated) per cache, the same way: a chat's whole history is a large entry. */
const MAX_BYTES = 32 * 1024 * 1024;

export interface ChangeCache<V> {
  /** The entry, if still right. */
  get(key: string): V | undefined;
  /** The entry even if no longer right (a hint for the next read; never an answer). */
  peek(key: string): V | undefined;
  /** A read about to be made: its stamp, or undefined when nothing may be kept now. */
  begin(): Begun | undefined;
  /** Keeps what a read begun at `at` found, for at most `validForMs` from its start (null: until a change). */
  set(key: string, at: Begun | undefined, value: V, keys: readonly string[], validForMs: number | null): void;
  /**
   * Reads `key` once for all who ask at the same moment (a chunk just made an answer's entry
   * stale and every tab on that answer polls), and keeps the result when `keep` gives its keys
   * and time bound (undefined: not to be kept, e.g. not found). A caller that finds a read of
   * the same key under way waits for it and takes its result only when `accepts` it, `keep`
   * gives its keys and bound, none of the keys changed since that read began and the bound has
   * not passed (as good as a read of its own, as a hit is); otherwise it reads for itself.
   */
  load<R extends V | undefined>(key: string, read: () => Promise<R>, keep: (result: R) => Usable | undefined, accepts?: (result: R) => boolean): Promise<R>;
  delete(key: string): void;
  clear(): void;
}

const KEY = Symbol.for("pollchat.changeCaches");
const holder = globalThis as { [KEY]?: Map<string, ChangeCache<unknown>> };
const caches: Map<string, ChangeCache<unknown>> = (holder[KEY] ??= new Map<string, ChangeCache<unknown>>());

/** The longest an entry is kept even when nothing changes: a bound on anything missed, not the mechanism. */
const MAX_AGE_MS = 5 * 60_000;

/** Date.now() past which a read begun at `at` is no longer right without a change. */
function untilOf(at: Begun, validForMs: number | null): number {
  return at.started + Math.min(validForMs ?? MAX_AGE_MS, MAX_AGE_MS);
}

/**
 * The cache called `name` (one per process). `weigh` estimates an entry's bytes (default: small).
 */
export function changeCache<V>(name: string, weigh: (value: V) => number = () => 256): ChangeCache<V> {
  const had = caches.get(name);
  if (had) return had as ChangeCache<V>;
  const entries = new Map<string, Entry<V> & { bytes: number }>();
  let bytes = 0;
  const drop = (key: string) => {
    const e = entries.get(key);
    if (!e) return;
    bytes -= e.bytes;
    entries.delete(key);
  };
  const flights = new Map<string, { at: Begun; result: Promise<unknown> }>();
  const cache: ChangeCache<V> = {
    get(key) {
      const e = entries.get(key);
      const hit = e !== undefined && e.until > Date.now() && fresh(e.at, e.keys);
      pollCacheLookup(name, hit);
      // A stale entry stays until replaced: peek() reads it as a hint.
      return hit ? e.value : undefined;
    },
    peek: (key) => entries.get(key)?.value,
    begin: () => {
      const at = stamp();
      return at && { ...at, started: Date.now() };
    },
    set(key, at, value, keys, validForMs) {
      if (!at) return;
      const until = untilOf(at, validForMs);
      if (until <= Date.now() || !fresh(at, keys)) return;
      const size = weigh(value);
      if (size > MAX_BYTES / 16) return; // one entry never crowds out the rest
      drop(key); // re-inserted last: the map stays oldest first
      // The oldest first: over a bound, or older than MAX_AGE_MS (no longer used by anyone).
      const old = Date.now() - MAX_AGE_MS;
      for (const [k, e] of entries) {
        if (entries.size < MAX_ENTRIES && bytes + size <= MAX_BYTES && e.at.started > old) break;
        drop(k);
      }
      entries.set(key, { value, at, keys, until, bytes: size });
      bytes += size;
    },
    async load<R extends V | undefined>(key: string, read: () => Promise<R>, keep: (result: R) => Usable | undefined, accepts: (result: R) => boolean = () => true): Promise<R> {
      const flight = flights.get(key);
      if (flight) {
        const shared = await (flight.result as Promise<R>).then(
          (r) => ({ r }),
          () => undefined,
        );
        const use = shared && accepts(shared.r) ? keep(shared.r) : undefined;
        if (shared && use && untilOf(flight.at, use.validForMs) > Date.now() && fresh(flight.at, use.keys)) {
          pollCacheShared(name);
          return shared.r;
        }
      }
      const at = cache.begin();
      const result = read().then((r) => {
        const use = keep(r);
        if (r !== undefined && use) cache.set(key, at, r, use.keys, use.validForMs);
        return r;
      });
      if (at) {
        flights.set(key, { at, result });
        const done = () => {
          if (flights.get(key)?.result === result) flights.delete(key);
        };
        result.then(done, done);
      }
      return result;
    },
    delete: drop,
    clear: () => {
      entries.clear();
      bytes = 0;
    },
  };
  caches.set(name, cache);
  return cache;
}
