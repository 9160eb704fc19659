/**
 * What the guard reads of a request: its method, URL and headers. A web `Request` (App Router
 * route handlers) is one; so is the adapter of a Node request (the Pages Router API routes that
 * serve the polls, lib/http/pages-route.ts).
 */
export interface RequestHead {
  method: string;
  /** Absolute URL. */
  url: string;
  headers: { get(name: string): string | null };
}
