/** What the composer tells the person about their last action in a chat (409, 429, 413, failures). */
import { createKeyedStore } from "./store";
import type { ApiError } from "./api";

export interface Notice {
  text: string;
  /** For 429: epoch ms before which sending is refused; the composer counts down. */
  retryAt?: number;
}

export const notices = createKeyedStore<Notice | null>(null);

/** A sentence a person can act on, for an API error from send, regenerate or edit. */
export function noticeFor(err: ApiError): Notice {
  switch (err.code) {
    case "generation_in_progress":
      return { text: "An answer is still being generated. Wait for it to finish or stop it first." };
    case "rate_limited": {
      const secs = err.retryAfter ?? 30;
      return { text: err.message, retryAt: Date.now() + secs * 1000 };
    }
    case "payload_too_large":
      return { text: `Your message is too long. ${err.message}` };
    case "network":
      return { text: "You seem to be offline. Your message is kept; try again when the connection is back." };
    default:
      return { text: err.message };
  }
}
