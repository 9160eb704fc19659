"use client";

import { useOffline } from "@/client/connection";
import { IconOffline } from "./icons";

/** Shown while the network or the server is unreachable; polls resume by themselves. */
export function OfflineBadge() {
  const offline = useOffline();
  return (
    <div className="offline-slot" role="status" aria-live="polite">
      {offline && (
        <span className="offline-badge" data-testid="offline-badge">
          <IconOffline size={15} /> Offline — reconnecting…
        </span>
      )}
    </div>
  );
}
