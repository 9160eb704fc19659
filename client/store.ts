/**
 * A tiny external store for React (useSyncExternalStore): a value per key, with listeners.
 * Used for per-chat notices; localStorage-backed variants live in drafts.ts and theme.ts.
 */
import { useSyncExternalStore } from "react";

export function createKeyedStore<T>(initial: T) {
  const values = new Map<string, T>();
  const listeners = new Set<() => void>();
  const subscribe = (l: () => void) => {
    listeners.add(l);
    return () => listeners.delete(l);
  };
  return {
    get: (key: string): T => values.get(key) ?? initial,
    set(key: string, value: T) {
      if (value === initial) values.delete(key);
      else values.set(key, value);
      for (const l of listeners) l();
    },
    use(key: string): T {
      return useSyncExternalStore(
        subscribe,
        () => values.get(key) ?? initial,
        () => initial,
      );
    },
  };
}
