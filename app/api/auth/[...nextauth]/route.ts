import { handlers } from "@/lib/auth/config";
import { guardAuthHandler } from "@/lib/auth/guard";

// A malformed callbackUrl answers 400 (not Auth.js's 500) and POST bodies are limited: lib/auth/guard.ts.
export const GET = guardAuthHandler(handlers.GET);
export const POST = guardAuthHandler(handlers.POST);
