/**
 * Auth.js (next-auth v5): email + password through the Credentials provider, guests through a
 * second one (`guest`, with ALLOW_GUESTS: lib/auth/guest.ts), GitHub and Google when their
 * variables are set. Sessions are JWTs (Credentials requires it); the
 * Drizzle adapter stores OAuth users and accounts in our database.
 */
import "server-only";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import Google from "next-auth/providers/google";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import { getDb } from "@/db/client";
import { accounts, sessions, users, verificationTokens } from "@/db/schema";
import type { Adapter } from "next-auth/adapters";
import { findUserByEmail, insertAdapterUser } from "@/db/queries/users";
import { deleteSession, insertSession } from "@/db/queries/sessions";
import { markEmailVerified } from "@/db/queries/email-tokens";
import { randomBytes } from "node:crypto";
import { firstAccountIsAdmin } from "./roles";
import { forgetLiveSession } from "./session-live";
import { HashBusy, hashGate } from "./hash-gate";
import { oauthEmailVerified } from "./oauth-verified";
import { AppError } from "../errors";
import { createGuest, GUEST_PROVIDER_ID, guestsAllowed } from "./guest";
import { ensureAuthSecret } from "./secret";
import { dummyHash, verifyPassword } from "./password";
import { beginSignIn, requestIp } from "./throttle";
import { log } from "../log";
import { env } from "../env";

const SESSION_MAX_AGE = 30 * 24 * 60 * 60;

class InvalidLogin extends CredentialsSignin {
  override code = "invalid_login";
}

/** Too many failed sign-ins for this account or address: the page says to wait (/signin?code=rate_limited). */
class SignInLimited extends CredentialsSignin {
  override code = "rate_limited";
}

/** A guest that could not be created: too many from this address (/signin?code=rate_limited). */
class GuestLimited extends CredentialsSignin {
  override code = "rate_limited";
}

/** Which OAuth providers are configured (the sign-in page shows a button for each). */
export function oauthProviders(): { id: "github" | "google"; name: string }[] {
  const list: { id: "github" | "google"; name: string }[] = [];
  const e = env();
  if (e.AUTH_GITHUB_ID && e.AUTH_GITHUB_SECRET) list.push({ id: "github", name: "GitHub" });
  if (e.AUTH_GOOGLE_ID && e.AUTH_GOOGLE_SECRET) list.push({ id: "google", name: "Google" });
  return list;
}

async function config(): Promise<NextAuthConfig> {
  const secret = ensureAuthSecret();
  const db = await getDb();
  const oauth = oauthProviders().map((p) => (p.id === "github" ? GitHub : Google));
  const base = DrizzleAdapter(db, {
    usersTable: users,
    accountsTable: accounts,
    sessionsTable: sessions,
    verificationTokensTable: verificationTokens,
  });
  // OAuth sign-ups go through our insert: the first account ever becomes admin, like a password one.
  const adapter: Adapter = {
    ...base,
    async createUser(data) {
      const { id: _id, ...rest } = data;
      const row = await insertAdapterUser({ ...rest, emailVerified: null }, firstAccountIsAdmin());
      return { id: row.id, email: row.email ?? data.email, emailVerified: row.emailVerified, name: row.name, image: row.image };
    },
  };
  const guest = guestsAllowed()
    ? [
        Credentials({
          id: GUEST_PROVIDER_ID,
          name: "Guest",
          credentials: {},
          async authorize(_raw, request) {
            try {
              return await createGuest(requestIp(request));
            } catch (err) {
              if (err instanceof AppError && err.code === "rate_limited") {
                log().warn({ retryAfter: err.retryAfter }, "guest creation rate limited");
                throw new GuestLimited();
              }
              throw err;
            }
          },
        }),
      ]
    : [];
  return {
    secret,
    // The app runs behind whatever host serves it (localhost, a proxy, Vercel); the
    // cookie is bound to that host anyway.
    trustHost: true,
    adapter,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE },
    pages: { signIn: "/signin", error: "/signin" },
    logger: {
      // A wrong password is not an error worth a stack trace in the server log.
      error(error) {
        if (error.name === "CredentialsSignin" || (error as { type?: string }).type === "CredentialsSignin") return;
        log().error({ err: error }, "auth error");
      },
    },
    providers: [
      Credentials({
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(raw, request) {
          const email = typeof raw.email === "string" ? raw.email.trim().toLowerCase() : "";
          const password = typeof raw.password === "string" ? raw.password : "";
          // A NUL would make the lookup fail in the database: no account has one.
          if (!email || email.includes("\u0000") || email.length > 254 || !password || password.length > 1024) throw new InvalidLogin();
          // Checked, and counted as a failure, before the password: a locked account cannot be
          // guessed at, not even rightly, and guesses sent at once cannot all pass the check.
          const subject = { email, ip: requestIp(request) };
          const begun = await beginSignIn(subject);
          if ("locked" in begun) {
            log().warn({ limit: begun.locked.limit, retryAfter: Math.ceil(begun.locked.seconds) }, "sign-in rate limited");
            throw new SignInLimited();
          }
          const user = await findUserByEmail(email);
          // Hash even for unknown users so the timing does not tell which emails exist.
          const ok = await hashGate(async () => verifyPassword(password, user?.passwordHash ?? (await dummyHash()))).catch(async (err: unknown) => {
            if (!(err instanceof HashBusy)) throw err;
            await begun.attempt.withdraw(); // never checked: not the account's failure
            throw new SignInLimited();
          });
          if (!user || !user.passwordHash || !ok) throw new InvalidLogin();
          await begun.attempt.succeeded();
          return { id: user.id, email: user.email, name: user.name };
        },
      }),
      ...guest,
      ...oauth,
    ],
    events: {
      // Sign-out ends the session on the server: the cookie stops working even if it was copied.
      async signOut(message) {
        const sid = "token" in message ? message.token?.sid : undefined;
        if (typeof sid === "string") {
          await deleteSession(sid);
          forgetLiveSession({ sid });
        }
      },
      // GitHub and Google say whether they verified the address; then it counts as verified here.
      async signIn({ user, account, profile }) {
        if (!account || account.type !== "oauth" || !user.id || !user.email) return;
        if (await oauthEmailVerified({ provider: account.provider, email: user.email, profile, accessToken: account.access_token })) {
          await markEmailVerified({ userId: user.id, email: user.email });
        }
      },
    },
    callbacks: {
      // A new sign-in gets a session id with a row in `session`; every request checks the row.
      async jwt({ token, user }) {
        if (user?.id) {
          token.sub = user.id;
          const sid = randomBytes(24).toString("base64url");
          await insertSession({ sid, userId: user.id, maxAgeSeconds: SESSION_MAX_AGE });
          token.sid = sid;
        }
        return token;
      },
      session({ session, token }) {
        if (token.sub) session.user.id = token.sub;
        return session;
      },
    },
  };
}

// NextAuth calls a lazy config on every request; ours does not depend on the request, so build it once.
let built: Promise<NextAuthConfig> | undefined;
export const { handlers, auth, signIn, signOut } = NextAuth(() => {
  built ??= config().catch((err: unknown) => {
    built = undefined; // the database may come back: try again next time
    throw err;
  });
  return built;
});
