/**
 * AUTH_SECRET: from the environment, or, outside production and on a single Node host,
 * generated once and kept under .data/ so sessions survive restarts.
 */
import "server-only";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { log } from "../log";
import { env } from "../env";

/** The secret this module generated or read from its file (env() holds the environment's). */
let kept: string | undefined;

export function ensureAuthSecret(): string {
  const e = env();
  const fromEnv = e.AUTH_SECRET ?? kept;
  if (fromEnv) return fromEnv;
  if (e.VERCEL) {
    throw new Error("AUTH_SECRET is not set. On Vercel every function instance needs the same secret: set it in the project's environment variables.");
  }
  const file = path.join(e.DATA_DIR ?? path.join(process.cwd(), ".data"), "auth-secret");
  let secret: string;
  try {
    secret = readFileSync(file, "utf8").trim();
  } catch {
    secret = "";
  }
  if (!secret) {
    secret = randomBytes(32).toString("base64url");
    mkdirSync(path.dirname(file), { recursive: true });
    // wx: if another process wrote it first, use theirs.
    try {
      writeFileSync(file, secret + "\n", { mode: 0o600, flag: "wx" });
    } catch {
      secret = readFileSync(file, "utf8").trim();
    }
    if (e.NODE_ENV === "production") {
      log().warn(`AUTH_SECRET is not set: generated one in ${file}. Set AUTH_SECRET when you run more than one server.`);
    }
  }
  // For Auth.js's own reads, and for other bundles of this process whose env() runs later.
  process.env.AUTH_SECRET = secret;
  kept = secret;
  return secret;
}
