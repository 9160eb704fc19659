/**
 * Bounded concurrency for password hashing. scrypt takes 32 MiB and a libuv thread per call:
 * a flood of sign-ins would otherwise queue hundreds of them (memory, and every other use of
 * the thread pool: file reads, DNS, zlib). At most HASH_CONCURRENCY run at once; at most
 * HASH_QUEUE wait; past that the sign-in is refused at once as "try again" (429).
 */
import "server-only";
import { AppError } from "../errors";

export const HASH_CONCURRENCY = 2;
export const HASH_QUEUE = 64;

let running = 0;
const waiting: (() => void)[] = [];

export class HashBusy extends AppError {
  constructor() {
    super("rate_limited", "The server is busy signing people in. Try again in a few seconds.", { retryAfter: 2 });
  }
}

export async function hashGate<T>(work: () => Promise<T>): Promise<T> {
  if (running >= HASH_CONCURRENCY) {
    if (waiting.length >= HASH_QUEUE) throw new HashBusy();
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running++;
  }
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}
