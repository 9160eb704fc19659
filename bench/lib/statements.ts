/**
 * The writes a generating answer costs, counted from pg_stat_statements (a cluster that
 * preloads it: bench/writes.ts and bench/resume.ts make a throwaway one). Erasable TypeScript.
 */
import type postgres from "postgres";

type Sql = ReturnType<typeof postgres>;

/** The runner's writes while it streams; everything else that writes is "other (send, claim, finish)". */
export const STREAMING_WRITES = ["chunk insert", "lease renewal", "first token"] as const;

export function kindOf(query: string): string | undefined {
  const q = query.toLowerCase().replace(/\s+/g, " ");
  // The claim (one CTE) also inserts a chunk: the text carried into the new attempt.
  if (q.includes("update llm_request r set status = 'running'")) return "other (send, claim, finish)";
  if (q.includes("insert into llm_output_chunk")) return "chunk insert";
  if (/^update "llm_request" set "lease_until"/.test(q)) return "lease renewal";
  if (/^update "llm_request" set "first_token_at"/.test(q)) return "first token";
  if (/\b(insert|update|delete)\b/.test(q) && !q.startsWith("select")) return "other (send, claim, finish)";
  return undefined;
}

/** Calls so far of each kind of write in the current database. */
export async function writeStatements(sql: Sql): Promise<Record<string, number>> {
  const rows = await sql<{ query: string; calls: string }[]>`
    select query, calls::text from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())`;
  const out: Record<string, number> = {};
  for (const r of rows) {
    const kind = kindOf(r.query);
    if (kind) out[kind] = (out[kind] ?? 0) + Number(r.calls);
  }
  return out;
}

/** The runner's writes while streaming, all kinds together. */
export function streamingWrites(w: Record<string, number>): number {
  return STREAMING_WRITES.reduce((n, k) => n + (w[k] ?? 0), 0);
}
