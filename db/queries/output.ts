/**
 * The output of a generation while it runs: chunks appended by its runner, each tagged with the
 * attempt that wrote it (docs/design.md §4). What a reader gets of an answer in progress is the
 * current attempt's chunks in order; when the attempt ends, the text moves into the message
 * and the chunks are deleted.
 */
import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { llmOutputChunks } from "../schema.ts";
import type { Tx } from "./access.ts";
import type { OutputSlice } from "./polls.ts";
import { rawRows } from "./raw.ts";

/** The output of one attempt from the chunk that holds `position` on (all of it from 0). */
const OUTPUT_FROM = `
select min(k.start_pos) as slice_from, string_agg(k.text, '' order by k.start_pos) as slice_text
from llm_output_chunk k
where k.request_uuid = $1::uuid and k.attempt = $2::int
  and k.start_pos >= coalesce((select max(k2.start_pos) from llm_output_chunk k2
    where k2.request_uuid = $1::uuid and k2.attempt = $2::int and k2.start_pos <= $3::int), 0)`;

export async function readOutputFrom(input: { requestUuid: string; attempt: number; position: number }): Promise<OutputSlice> {
  const [row] = await rawRows<Record<string, unknown>>(OUTPUT_FROM, [input.requestUuid, input.attempt, input.position], { read: true });
  return { from: Number(row?.slice_from ?? 0), text: (row?.slice_text as string | null) ?? "" };
}

/** The text so far of a request's current attempt (a pending answer, for export). */
const PENDING_TEXT = `
select string_agg(k.text, '' order by k.start_pos) as text
from llm_request r join llm_output_chunk k on k.request_uuid = r.uuid and k.attempt = r.attempt
where r.uuid = $1::uuid`;

export async function readPendingText(requestUuid: string): Promise<string> {
  const [row] = await rawRows<{ text: string | null }>(PENDING_TEXT, [requestUuid], { read: true });
  return row?.text ?? "";
}

/** The text an attempt holds so far (what a continuing attempt was given to carry on from). */
export async function readAttemptText(input: { requestUuid: string; attempt: number }): Promise<string> {
  const { text } = await readOutputFrom({ ...input, position: 0 });
  return text;
}

/** The whole text of an attempt, in the caller's transaction (a cancel or a failure keeps it). */
export async function attemptText(tx: Tx, input: { requestUuid: string; attempt: number }): Promise<string> {
  const rows = await tx
    .select({ text: llmOutputChunks.text })
    .from(llmOutputChunks)
    .where(and(eq(llmOutputChunks.requestUuid, input.requestUuid), eq(llmOutputChunks.attempt, input.attempt)))
    .orderBy(asc(llmOutputChunks.startPos));
  return rows.map((r) => r.text).join("");
}

/**
 * The answer's notes for people (a file the model was not given whole, and why: docs/design.md
 * §3.13), written as its attempt starts and fenced like the attempt's other writes: a runner
 * that lost its claim writes nothing. `[]` clears what an earlier attempt wrote; the same notes
 * again are not written (no change for the feed to announce).
 */
export async function recordAnswerNotes(input: { requestUuid: string; attempt: number; notes: string[] }): Promise<void> {
  await rawRows<{ uuid: string }>(
    `update chat_message m set notes = $3::jsonb
     from llm_request r
     where r.uuid = $1::uuid and r.attempt = $2::int and r.status = 'running' and not r.cancel_requested
       and m.uuid = r.response_message_uuid and m.notes is distinct from $3::jsonb
     returning m.uuid`,
    [input.requestUuid, input.attempt, input.notes.length ? JSON.stringify(input.notes) : null],
  );
}
