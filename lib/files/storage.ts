/**
 * Where the bytes of uploaded files live (docs/design.md §3.13): content-addressed by SHA-256,
 * one `file_blob` row per distinct content. PostgreSQL keeps the bytes in the row (the default,
 * and the only choice on PGlite); with S3_BUCKET set they go to an S3-compatible bucket under
 * the hash as key and the row keeps only the hash, size and `storage = 's3'`.
 *
 * An S3 object is written before the row that names it (an object without a row is harmless: a
 * retry writes the same bytes under the same key) and removed only after the transaction that
 * deleted its row has committed (removeObjects), so a row never names a missing object. Both
 * sides take a lock on the hash (lockBlobs): a removal checks, under it, that no row names the
 * object again (an upload of the same bytes may have stored it anew since), and an upload that
 * put its object before the lock checks, under it, that the object is still there.
 */
import "server-only";
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { sql } from "drizzle-orm";
import { env } from "../env";
import { log } from "../log";
import { getDb } from "@/db/client";
import { blobBytes, blobStorage, insertBlob, storedBlobs } from "@/db/queries/attachments";
import type { Tx } from "@/db/queries/access";

export type StorageKind = "pg" | "s3";

/** The backend new uploads go to. */
export function storageKind(): StorageKind {
  return env().S3_BUCKET ? "s3" : "pg";
}

let client: { key: string; s3: S3Client } | undefined;

/** One S3 client per configuration (tests change the environment between servers, never within one). */
function s3(): { s3: S3Client; bucket: string } {
  const e = env();
  if (!e.S3_BUCKET) throw new Error("S3_BUCKET is not set");
  const key = [e.S3_ENDPOINT, e.S3_REGION, e.S3_ACCESS_KEY_ID, e.S3_FORCE_PATH_STYLE].join("|");
  if (client?.key !== key) {
    client = {
      key,
      s3: new S3Client({
        region: e.S3_REGION,
        ...(e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT } : {}),
        forcePathStyle: e.S3_FORCE_PATH_STYLE,
        ...(e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
          ? { credentials: { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY } }
          : {}),
      }),
    };
  }
  return { s3: client.s3, bucket: e.S3_BUCKET };
}

/** Transaction-scoped locks on these hashes, taken in one order (no two takers deadlock). */
async function lockBlobs(tx: Pick<Tx, "execute">, sha256s: string[]): Promise<void> {
  const keys = [...new Set(sha256s)].sort();
  if (keys.length === 0) return;
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended('pollchat-blob:' || k, 0)) from (select k from unnest(array[${sql.join(
      keys.map((k) => sql`${k}`),
      sql`, `,
    )}]::text[]) k order by k) s`,
  );
}

async function putObject(blob: { sha256: string; bytes: Uint8Array }): Promise<void> {
  const { s3: c, bucket } = s3();
  await c.send(new PutObjectCommand({ Bucket: bucket, Key: blob.sha256, Body: blob.bytes, ContentLength: blob.bytes.byteLength }));
}

async function objectExists(sha256: string): Promise<boolean> {
  const { s3: c, bucket } = s3();
  try {
    await c.send(new HeadObjectCommand({ Bucket: bucket, Key: sha256 }));
    return true;
  } catch (err) {
    if (err instanceof NotFound || err instanceof NoSuchKey) return false;
    throw err;
  }
}

/**
 * Before an upload's transaction: its S3 object put when no row has the bytes yet, so that the
 * transaction, which holds the user's quota lock (every send of theirs takes it too), does not
 * wait for the bytes to travel. Nothing to do for PostgreSQL.
 */
export async function prepareBlob(blob: { sha256: string; bytes: Uint8Array }): Promise<void> {
  if (storageKind() !== "s3" || (await blobStorage(await getDb(), blob.sha256))) return;
  await putObject(blob);
}

/**
 * Stores bytes under their hash, once: the blob row (with the bytes, or after the S3 object).
 * Idempotent; a blob already stored (either backend) is kept as it is. `prepared`: the object
 * was put before the transaction (prepareBlob); it is put again if a removal took it since.
 */
export async function storeBlob(tx: Tx, blob: { sha256: string; bytes: Uint8Array }, opts: { prepared?: boolean } = {}): Promise<void> {
  await lockBlobs(tx, [blob.sha256]);
  const existing = await blobStorage(tx, blob.sha256);
  if (existing) return;
  const kind = storageKind();
  if (kind === "s3" && !(opts.prepared && (await objectExists(blob.sha256)))) await putObject(blob);
  await insertBlob(tx, { sha256: blob.sha256, size: blob.bytes.byteLength, storage: kind, data: kind === "pg" ? blob.bytes : null });
}

/** The bytes of a stored blob (the models read attachments through this); throws when it is gone. */
export async function readAttachmentBytes(sha256: string): Promise<Uint8Array> {
  const bytes = await readBlob(sha256);
  if (!bytes) throw new Error(`No stored file has SHA-256 ${sha256}.`);
  return bytes;
}

/**
 * The bytes of a stored blob; undefined when it is gone (its last attachment was deleted, and
 * the blob swept, between the reader's look at the attachment and this read).
 */
export async function readBlob(sha256: string): Promise<Uint8Array | undefined> {
  const row = await blobBytes(await getDb(), sha256);
  if (!row) return undefined;
  if (row.storage === "pg") return row.data ?? new Uint8Array();
  const { s3: c, bucket } = s3();
  try {
    const out = await c.send(new GetObjectCommand({ Bucket: bucket, Key: sha256 }));
    return out.Body ? await out.Body.transformToByteArray() : undefined;
  } catch (err) {
    if (err instanceof NoSuchKey) return undefined;
    throw err;
  }
}

/**
 * Removes S3 objects whose rows a committed transaction deleted. A failure is logged, not
 * thrown: the chat is gone either way, and an orphaned object costs only space (same key, same
 * bytes if the content is ever uploaded again).
 */
export async function removeObjects(sha256s: string[]): Promise<void> {
  if (sha256s.length === 0 || !env().S3_BUCKET) return;
  const { s3: c, bucket } = s3();
  const db = await getDb();
  for (let i = 0; i < sha256s.length; i += 1000) {
    const batch = sha256s.slice(i, i + 1000);
    try {
      // Under the hashes' locks: an upload of the same bytes since our commit has a row again
      // (its object is its own now); only the objects no row names go.
      await db.transaction(async (tx) => {
        await lockBlobs(tx, batch);
        const named = new Set(await storedBlobs(tx, batch));
        const keys = batch.filter((k) => !named.has(k));
        if (keys.length) await c.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
      });
    } catch (err) {
      log().warn({ err, count: batch.length }, "files: could not remove S3 objects");
    }
  }
}
