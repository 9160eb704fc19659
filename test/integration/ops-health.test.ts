/**
 * Health: /api/health is liveness (the process answers, with a real query), /api/ready is
 * readiness (the database answers and every committed migration is applied). Both public.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../support/app-server.ts";
import { ownServer, type OwnServer } from "./ops-helpers.ts";
import { sharedBaseUrl } from "../support/context.ts";
import { checkedFetch } from "../support/contract.ts";

const baseUrl = sharedBaseUrl();
const journalOf = (dir: string) => path.join(dir, "meta", "_journal.json");
const committed = JSON.parse(readFileSync(journalOf(path.join(projectRoot, "db", "migrations")), "utf8")) as {
  entries: { tag: string; when: number; idx: number }[];
};

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("health and readiness", () => {
  it("GET /api/health and GET /api/ready answer 200 without a session", async () => {
    const health = await checkedFetch(`${baseUrl}/api/health`);
    expect(health.status).toBe(200);
    const alive = (await health.json()) as { ok: boolean; db: string };
    expect(alive.ok).toBe(true);
    expect(alive.db).toMatch(/^(pglite|postgres)$/);

    const ready = await checkedFetch(`${baseUrl}/api/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, db: alive.db, migrations: committed.entries.length });
  });

  it("GET /api/ready answers 503 with Retry-After while a migration is not applied, and 200 again once it is", async () => {
    // The server reads its migrations from a copy; a migration added to the copy after the
    // start is one the database does not have (a new build on an old database).
    const dir = mkdtempSync(path.join(os.tmpdir(), "pollchat-migrations-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(path.join(projectRoot, "db", "migrations"), dir, { recursive: true });
    const own: OwnServer = await ownServer({ MIGRATIONS_DIR: dir });
    cleanups.push(() => own.close());
    const url = own.server.url;

    expect((await checkedFetch(`${url}/api/ready`)).status).toBe(200);

    const pending = {
      idx: committed.entries.length,
      version: "7",
      when: Math.max(...committed.entries.map((e) => e.when)) + 1000,
      tag: "9999_not_applied",
      breakpoints: true,
    };
    writeFileSync(journalOf(dir), JSON.stringify({ ...committed, entries: [...committed.entries, pending] }));
    const notReady = await checkedFetch(`${url}/api/ready`);
    expect(notReady.status).toBe(503);
    expect(Number(notReady.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await notReady.json()) as { ready: boolean; error: { code: string; message: string } };
    expect(body.ready).toBe(false);
    expect(body.error.code).toBe("service_unavailable");
    expect(body.error.message).toContain("9999_not_applied");
    // Liveness is not readiness: the process is fine.
    expect((await checkedFetch(`${url}/api/health`)).status).toBe(200);

    cpSync(path.join(projectRoot, "db", "migrations"), dir, { recursive: true });
    const again = await checkedFetch(`${url}/api/ready`);
    expect(again.status).toBe(200);
    expect(again.headers.get("x-request-id")).toBeTruthy();
  });
});
