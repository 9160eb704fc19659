/**
 * Whether GitHub or Google verified the address they report for a user. Google says so in the
 * profile (`email_verified`); GitHub lists the user's addresses with a `verified` flag
 * (`GET /user/emails`, readable with the `user:email` scope Auth.js asks for).
 */
import "server-only";
import { log } from "../log";

const GITHUB_API = "https://api.github.com";

/** `githubApi`: GitHub's API origin (tests point it at a local server). */
export async function oauthEmailVerified(input: { provider: string; email: string; profile?: unknown; accessToken?: string; githubApi?: string }): Promise<boolean> {
  const email = input.email.toLowerCase();
  if (input.provider === "google") {
    const p = input.profile as { email?: unknown; email_verified?: unknown } | undefined;
    return p?.email_verified === true && typeof p.email === "string" && p.email.toLowerCase() === email;
  }
  if (input.provider === "github" && input.accessToken) {
    try {
      const res = await fetch(new URL("/user/emails", input.githubApi ?? GITHUB_API), {
        headers: { Authorization: `Bearer ${input.accessToken}`, "User-Agent": "pollchat", Accept: "application/vnd.github+json" },
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) return false;
      const list = (await res.json()) as { email?: unknown; verified?: unknown }[];
      return Array.isArray(list) && list.some((e) => typeof e.email === "string" && e.email.toLowerCase() === email && e.verified === true);
    } catch (err) {
      log().warn({ err }, "could not ask GitHub whether the address is verified");
      return false;
    }
  }
  return false;
}
