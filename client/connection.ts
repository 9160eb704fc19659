/**
 * Is the server reachable? `navigator.onLine` alone lies (captive portals, a dead server), so
 * failed fetches count too: two network failures in a row make us "offline" until the next
 * answer of any kind. Components read it with useConnection().
 */
import { useSyncExternalStore } from "react";

let failures = 0;
const listeners = new Set<() => void>();

function emit() {
  for (const l of listeners) l();
}

export function reportNetworkFailure(): void {
  failures++;
  if (failures === 2) emit();
}

export function reportNetworkSuccess(): void {
  if (failures === 0) return;
  const wasOffline = failures >= 2;
  failures = 0;
  if (wasOffline) emit();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("online", listener);
  window.addEventListener("offline", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("online", listener);
    window.removeEventListener("offline", listener);
  };
}

function isOffline(): boolean {
  return !navigator.onLine || failures >= 2;
}

/** True while the browser is offline or the server has stopped answering. */
export function useOffline(): boolean {
  return useSyncExternalStore(subscribe, isOffline, () => false);
}

/** Resolves when the browser says it is back online, or after `ms`, whichever comes first. */
export function waitForNetwork(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener("online", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    window.addEventListener("online", done);
  });
}
