/**
 * Files (docs/design.md §3.13) through real HTTP, on both storage backends: PostgreSQL (the
 * default) and an S3-compatible bucket (s3rver, started here on a free port with a temp
 * directory). Each backend gets an app server of its own with small limits. What is proved:
 * the same bytes are stored once; size, type (by content), count and storage limits answer
 * their errors; only members (and a share link while shared) read a file; uploaded HTML and
 * SVG come back inert; sending binds uploads to the message and every read carries them;
 * deleting a chat deletes the blobs nothing else names (the bucket's objects too); an upload of
 * no chat yet (the new-chat screen's) is its uploader's alone until the first send binds it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import postgres from "postgres";
import { anonymous, signUp, type TestClient } from "../support/client.ts";
import { createTestDatabase, freePort, removeDataDir, startAppServer, testAppEnv, type AppServer, type TestDatabase } from "../support/app-server.ts";
import { createChat, exchange, json, messages, pollTokens, send, waitForAnswer } from "../support/chat.ts";
import { expectInvariants } from "../support/invariants.ts";
import { sharedFakeOpenAIUrl } from "../support/context.ts";
import { userIdOf } from "../support/direct-sql.ts";
import { until } from "../support/wait.ts";

interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (opts: { port: number; address: string; silent: boolean; directory: string; configureBuckets: { name: string }[] }) => S3rverServer;
const S3rver = createRequire(import.meta.url)("s3rver") as S3rverClass;

const BUCKET = "pollchat-files";
const MAX_BYTES = 64 * 1024;
const STORAGE = 200_000;

interface AttachmentJson {
  uuid: string;
  name: string;
  mediaType: string;
  size: number;
  url: string;
}

// Real file signatures, padded with a marker so that each test's files are its own.
const png = (tag: string) => bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52], tag);
const jpeg = (tag: string) => bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0], tag);
const gif = (tag: string) => bytes([...Buffer.from("GIF89a"), 1, 0, 1, 0, 0x80, 0, 0], tag);
const webp = (tag: string) => bytes([...Buffer.from("RIFF"), 0x24, 0, 0, 0, ...Buffer.from("WEBPVP8 ")], tag);
const pdf = (tag: string) => bytes([...Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")], tag);
/** A Windows executable's header: binary (NUL bytes), nothing the app takes. */
const exe = (tag: string) => bytes([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0], tag);

function bytes(head: number[], tag: string): Uint8Array {
  return new Uint8Array([...head, ...Buffer.from(`\n${tag}\n`)]);
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** `chat` null: an upload of no chat yet (the new-chat screen's, POST /chat/attachments). */
function upload(client: TestClient, chat: string | null, body: Uint8Array | string, name: string, claimed = "application/octet-stream"): Promise<Response> {
  const form = new FormData();
  form.append("file", new Blob([typeof body === "string" ? body : new Uint8Array(body)], { type: claimed }), name);
  return client.request(chat === null ? "/chat/attachments" : `/chat/${chat}/attachments`, { method: "POST", body: form });
}

async function uploaded(client: TestClient, chat: string | null, body: Uint8Array | string, name: string, claimed?: string): Promise<AttachmentJson> {
  return (await json<{ attachment: AttachmentJson }>(await upload(client, chat, body, name, claimed), 201)).attachment;
}

async function errorOf(res: Response, status: number): Promise<{ code: string; message: string }> {
  const body = await json<{ error: { code: string; message: string } }>(res, status);
  expect(body.error.message.length).toBeGreaterThan(10);
  return body.error;
}

/** Waits for the answer to a user message to end (a chat answers one message at a time). */
async function answered(client: TestClient, chat: string, userUuid: string): Promise<void> {
  await pollTokens(client, (await waitForAnswer(client, chat, userUuid)).uuid);
}

async function joinAs(owner: TestClient, chat: string, member: TestClient, role: "editor" | "viewer"): Promise<void> {
  const { invite } = await json<{ invite: { token: string } }>(await owner.post(`/api/chats/${chat}/invites`, { role, expiresInHours: 1 }), 201);
  await json(await member.post(`/api/invites/${invite.token}`), 200);
}

describe.each(["pg", "s3"] as const)("files stored in %s", (backend) => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let server: AppServer;
  let port: number;
  let s3: S3Client | undefined;
  let s3rver: S3rverServer | undefined;
  let s3Dir: string | undefined;
  let owner: TestClient;
  const base = () => server.url;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = {
      ...testAppEnv(db, sharedFakeOpenAIUrl()),
      MAX_ATTACHMENT_BYTES: String(MAX_BYTES),
      MAX_ATTACHMENTS_PER_MESSAGE: "3",
      STORAGE_PER_USER_BYTES: String(STORAGE),
    };
    if (backend === "s3") {
      s3Dir = mkdtempSync(path.join(os.tmpdir(), "pollchat-s3rver-"));
      s3rver = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: s3Dir, configureBuckets: [{ name: BUCKET }] });
      const { port: s3Port } = await s3rver.run();
      const endpoint = `http://127.0.0.1:${s3Port}`;
      Object.assign(env, {
        S3_BUCKET: BUCKET,
        S3_ENDPOINT: endpoint,
        S3_REGION: "us-east-1",
        S3_ACCESS_KEY_ID: "S3RVER",
        S3_SECRET_ACCESS_KEY: "S3RVER",
        S3_FORCE_PATH_STYLE: "true",
      });
      s3 = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
    }
    port = await freePort();
    server = await startAppServer({ env, port });
    owner = await signUp(base());
  });

  afterAll(async () => {
    try {
      if (server) await expectInvariants(server.url);
    } finally {
      await server?.stop();
      await db?.drop();
      if (env) removeDataDir(env);
      await s3rver?.close();
      if (s3Dir) rmSync(s3Dir, { recursive: true, force: true });
    }
  });

  /** SQL straight into the server's database: PGlite is opened with its server stopped (then started again, same port). */
  async function directSql(query: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    if ("url" in db) {
      const sql = postgres(db.url, { max: 1, onnotice: () => {} });
      try {
        return [...(await sql.unsafe(query, params as never[]))];
      } finally {
        await sql.end({ timeout: 5 });
      }
    }
    await server.stop();
    const { PGlite } = await import("@electric-sql/pglite");
    const pg = await PGlite.create(db.pgliteDir);
    try {
      return (await pg.query<Record<string, unknown>>(query, params)).rows;
    } finally {
      await pg.close();
      server = await startAppServer({ env, port });
    }
  }

  /** The stored blobs: the database's rows, and on S3 the bucket's objects. */
  async function stored(): Promise<{ rows: { sha256: string; storage: string; inRow: boolean }[]; objects: string[] }> {
    const raw = await directSql("select sha256, storage, data is not null as in_row from file_blob order by sha256");
    const objects = s3 ? ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key!).sort() : [];
    return { rows: raw.map((r) => ({ sha256: r.sha256 as string, storage: r.storage as string, inRow: Boolean(r.in_row) })), objects };
  }

  it("sniffs the type from the bytes, stores the same bytes once, and serves them to members", async () => {
    const chat = await createChat(owner);
    const image = png(`dedupe-${backend}`);
    // A PNG named .txt and claimed as text is a PNG.
    const a = await uploaded(owner, chat.uuid, image, "notes.txt", "text/plain");
    expect(a).toMatchObject({ name: "notes.txt", mediaType: "image/png", size: image.byteLength, url: `/chat/attachment/${a.uuid}` });
    const b = await uploaded(owner, chat.uuid, image, "again.png");
    expect(b.uuid).not.toBe(a.uuid);
    for (const [file, type] of [
      [jpeg("j"), "image/jpeg"],
      [gif("g"), "image/gif"],
      [webp("w"), "image/webp"],
      [pdf("p"), "application/pdf"],
      ["plain words, ünïcödé", "text/plain"],
    ] as const) {
      expect((await uploaded(owner, chat.uuid, file, "file.bin")).mediaType).toBe(type);
    }

    const res = await owner.get(a.url);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(image);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-disposition")).toBe(`inline; filename="notes.txt"; filename*=UTF-8''notes.txt`);
    expect(res.headers.get("etag")).toBe(`"${sha256(image)}"`);
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
    const again = await owner.get(a.url, { headers: { "if-none-match": `"${sha256(image)}"` } });
    expect(again.status).toBe(304);

    // Another user's identical upload shares the blob too.
    const other = await signUp(base());
    await uploaded(other, (await createChat(other)).uuid, image, "mine.png");
    const { rows, objects } = await stored();
    expect(rows.filter((r) => r.sha256 === sha256(image))).toEqual([{ sha256: sha256(image), storage: backend, inRow: backend === "pg" }]);
    if (backend === "s3") expect(objects.filter((k) => k === sha256(image))).toHaveLength(1);
  });

  it("refuses what is too large (413), of a type it does not take (415), malformed, or not multipart", async () => {
    const chat = await createChat(owner);
    const big = new Uint8Array(MAX_BYTES + 1).fill(0x61);
    const tooLarge = await errorOf(await upload(owner, chat.uuid, big, "big.txt"), 413);
    expect(tooLarge).toMatchObject({ code: "payload_too_large" });
    expect(tooLarge.message).toContain("64 KB");
    // Declared larger than the limit: refused before the body is read.
    const declared = await owner.request(`/chat/${chat.uuid}/attachments`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=x", "content-length": String(MAX_BYTES * 4) },
      body: new Uint8Array(MAX_BYTES * 4),
    });
    expect((await errorOf(declared, 413)).code).toBe("payload_too_large");
    // An .exe named .png and claimed as a PNG is not a PNG.
    const fake = await errorOf(await upload(owner, chat.uuid, exe("x"), "holiday.png", "image/png"), 415);
    expect(fake.code).toBe("unsupported_media_type");
    expect(fake.message).toMatch(/content, not its name/);
    // Invalid UTF-8 is not text either.
    expect((await errorOf(await upload(owner, chat.uuid, new Uint8Array([0x61, 0xff, 0xfe, 0x62]), "a.txt"), 415)).code).toBe("unsupported_media_type");
    expect((await errorOf(await owner.post(`/chat/${chat.uuid}/attachments`, { file: "x" }), 415)).code).toBe("unsupported_media_type");
    expect((await errorOf(await upload(owner, chat.uuid, "", "empty.txt"), 400)).code).toBe("validation_error");
    const noField = new FormData();
    noField.append("other", "x");
    expect((await errorOf(await owner.request(`/chat/${chat.uuid}/attachments`, { method: "POST", body: noField }), 400)).code).toBe("validation_error");
  });

  it("keeps each user within their storage (the same content counts once); the account page and the admin see it", async () => {
    const user = await signUp(base());
    const chat = await createChat(user);
    const chunk = (c: string) => c.repeat(60_000);
    await uploaded(user, chat.uuid, chunk("a"), "a.txt");
    await uploaded(user, chat.uuid, chunk("a"), "a-again.txt");
    await uploaded(user, chat.uuid, chunk("b"), "b.txt");
    await uploaded(user, chat.uuid, chunk("c"), "c.txt");
    const full = await errorOf(await upload(user, chat.uuid, chunk("d"), "d.txt"), 413);
    expect(full.code).toBe("storage_full");
    expect(full.message).toMatch(/Your files use 176 KB of your 195 KB; this file \(58\.6 KB\) does not fit/);
    // Content already counted fits whatever the total.
    await uploaded(user, chat.uuid, chunk("b"), "b-again.txt");

    const usage = await json<{ quotas: { name: string; label: string; used: number; limit: number }[] }>(await user.get("/api/account/usage"), 200);
    expect(usage.quotas.find((q) => q.name === "storageBytes")).toMatchObject({ label: "Files", used: 180_000, limit: STORAGE });
    const page = await (await user.get("/account")).text();
    expect(page).toContain("Files");
    expect(page).toContain("176 KB of 195 KB");

    // The first account of the server is its admin: it raises this user's storage.
    const userId = await userIdOf(user);
    const patched = await json<{ user: { limits: { storageBytes: number }; quota: { storageBytes?: number } } }>(
      await owner.request(`/api/admin/users/${userId}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ quota: { storageBytes: 1_000_000 } }) }),
      200,
    );
    expect(patched.user.limits.storageBytes).toBe(1_000_000);
    await uploaded(user, chat.uuid, chunk("d"), "d.txt");
  });

  it("binds uploads at send, carries them in every read, and limits how many a message takes", async () => {
    const chat = await createChat(owner);
    const files = [await uploaded(owner, chat.uuid, png("bind-1"), "one.png"), await uploaded(owner, chat.uuid, "some notes", "notes.md")];
    const sent = await send(owner, chat.uuid, "", { attachments: files.map((f) => f.uuid) });
    expect(sent.content).toBe("");
    expect((sent as unknown as { attachments: AttachmentJson[] }).attachments.map((f) => f.uuid)).toEqual(files.map((f) => f.uuid));
    await answered(owner, chat.uuid, sent.uuid);
    const list = await messages(owner, chat.uuid);
    const mine = list.messages.find((m) => m.uuid === sent.uuid) as unknown as { attachments: AttachmentJson[] };
    expect(mine.attachments).toEqual(files);
    // The htmx client (/lite) links them.
    const lite = await (await owner.get(`/chat/${chat.uuid}/messages`, { headers: { "hx-request": "true" } })).text();
    for (const f of files) expect(lite).toContain(`<a href="${f.url}" target="_blank" rel="noopener">${f.name}</a>`);
    // Sent once: not again, not removable, not by another chat.
    expect((await errorOf(await owner.post(`/chat/${chat.uuid}/send`, { content: "again", attachments: [files[0]!.uuid] }), 400)).message).toMatch(/not a file you uploaded/);
    expect((await errorOf(await owner.request(files[0]!.url, { method: "DELETE" }), 409)).code).toBe("conflict");

    // A form repeats the field.
    const more = [await uploaded(owner, chat.uuid, "a", "a.txt"), await uploaded(owner, chat.uuid, "b", "b.txt")];
    const form = new URLSearchParams([["content", "with a form"], ...more.map((f): [string, string] => ["attachments", f.uuid])]);
    const formSent = await owner.request(`/chat/${chat.uuid}/send`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() });
    expect(formSent.status).toBe(201);
    const viaForm = (await formSent.json()) as { message: { uuid: string; attachments: AttachmentJson[] } };
    expect(viaForm.message.attachments.map((f) => f.name)).toEqual(["a.txt", "b.txt"]);
    await answered(owner, chat.uuid, viaForm.message.uuid);

    // Four files: one too many (MAX_ATTACHMENTS_PER_MESSAGE=3); nothing is bound.
    const four = await Promise.all(["1", "2", "3", "4"].map((n) => uploaded(owner, chat.uuid, `file ${n}`, `${n}.txt`)));
    const tooMany = await errorOf(await owner.post(`/chat/${chat.uuid}/send`, { content: "four", attachments: four.map((f) => f.uuid) }), 400);
    expect(tooMany).toMatchObject({ code: "validation_error" });
    expect(tooMany.message).toMatch(/at most 3 files/);
    // Empty text needs files.
    expect((await errorOf(await owner.post(`/chat/${chat.uuid}/send`, { content: " " }), 400)).message).toMatch(/empty/);
    // An unsent upload is removed by its uploader.
    expect(await json(await owner.request(four[3]!.url, { method: "DELETE" }), 200)).toEqual({ deleted: true });
    expect((await owner.get(four[3]!.url)).status).toBe(404);

    // An edit keeps the edited message's files unless it names its own.
    const edited = await json<{ message: { uuid: string; attachments?: AttachmentJson[] } }>(
      await owner.post(`/chat/${chat.uuid}/edit`, { messageUuid: viaForm.message.uuid, content: "edited, same files" }),
      201,
    );
    expect(edited.message.attachments?.map((f) => f.name)).toEqual(["a.txt", "b.txt"]);
    expect(edited.message.attachments?.[0]!.uuid).not.toBe(more[0]!.uuid);
    await answered(owner, chat.uuid, edited.message.uuid);
    const replaced = await json<{ message: { uuid: string; attachments?: AttachmentJson[] } }>(
      await owner.post(`/chat/${chat.uuid}/edit`, { messageUuid: edited.message.uuid, content: "edited, own files", attachments: [four[0]!.uuid] }),
      201,
    );
    expect(replaced.message.attachments?.map((f) => f.uuid)).toEqual([four[0]!.uuid]);
    await answered(owner, chat.uuid, replaced.message.uuid);
  });

  it("serves a file to members only: a non-member, a removed member and a signed-out client get 404 / 401; a share link while shared", async () => {
    const chat = await createChat(owner);
    const file = await uploaded(owner, chat.uuid, png("access"), "secret.png");
    const { user } = await exchange(owner, chat.uuid, "[[fake text=seen]]", { attachments: [file.uuid] });
    const [viewer, editor, stranger] = [await signUp(base()), await signUp(base()), await signUp(base())];
    await joinAs(owner, chat.uuid, viewer, "viewer");
    await joinAs(owner, chat.uuid, editor, "editor");

    expect((await viewer.get(file.url)).status).toBe(200);
    expect((await editor.get(file.url)).status).toBe(200);
    expect((await errorOf(await stranger.get(file.url), 404)).code).toBe("not_found");
    expect((await errorOf(await anonymous(base()).get(file.url), 401)).code).toBe("unauthorized");
    // A viewer cannot upload or remove; an editor's unsent upload is theirs alone.
    expect((await errorOf(await upload(viewer, chat.uuid, "x", "x.txt"), 403)).code).toBe("forbidden");
    expect((await errorOf(await upload(stranger, chat.uuid, "x", "x.txt"), 404)).code).toBe("not_found");
    const draft = await uploaded(editor, chat.uuid, "editor's draft", "draft.txt");
    expect((await errorOf(await owner.get(draft.url), 404)).code).toBe("not_found");
    expect((await errorOf(await owner.request(draft.url, { method: "DELETE" }), 404)).code).toBe("not_found");
    expect((await errorOf(await editor.post(`/chat/${chat.uuid}/send`, { content: "not mine", attachments: [file.uuid] }), 400)).code).toBe("validation_error");

    // Removed: 404 like a stranger.
    await json(await owner.request(`/api/chats/${chat.uuid}/members/${await userIdOf(viewer)}`, { method: "DELETE" }), 200);
    expect((await errorOf(await viewer.get(file.url), 404)).code).toBe("not_found");

    // Shared: the link's readers get the file through the link (and the message's url says so).
    const { share } = await json<{ share: { shareUuid: string } }>(await owner.post(`/api/chats/${chat.uuid}/share`), 201);
    const shared = await json<{ messages: { uuid: string; attachments?: AttachmentJson[] }[] }>(await anonymous(base()).get(`/api/share/${share.shareUuid}/messages`), 200);
    const sharedFile = shared.messages.find((m) => m.uuid === user.uuid)!.attachments![0]!;
    expect(sharedFile.url).toBe(`/share/${share.shareUuid}/attachment/${file.uuid}`);
    const viaLink = await anonymous(base()).get(sharedFile.url);
    expect(viaLink.status).toBe(200);
    expect(viaLink.headers.get("cache-control")).toBe("no-store");
    expect(new Uint8Array(await viaLink.arrayBuffer())).toEqual(png("access"));
    // Not an unsent upload, not another chat's file, not after unsharing.
    expect((await anonymous(base()).get(`/share/${share.shareUuid}/attachment/${draft.uuid}`)).status).toBe(404);
    expect((await anonymous(base()).get(`/share/${randomUUID()}/attachment/${file.uuid}`)).status).toBe(404);
    await json(await owner.request(`/api/chats/${chat.uuid}/share`, { method: "DELETE" }), 200);
    expect((await anonymous(base()).get(sharedFile.url)).status).toBe(404);
  });

  it("takes an upload of no chat yet (the new-chat screen's): its uploader's alone until the first send binds it into the new chat", async () => {
    const stranger = await signUp(base());
    const early = await uploaded(owner, null, png(`chatless-${backend}`), "first.png");
    expect(early).toMatchObject({ name: "first.png", mediaType: "image/png", url: `/chat/attachment/${early.uuid}` });
    expect((await directSql("select chat_uuid from attachment where uuid = $1", [early.uuid]))[0]?.chat_uuid).toBeNull();
    // The same limits and sniffing as a chat's upload.
    expect((await errorOf(await upload(owner, null, new Uint8Array(MAX_BYTES + 1).fill(0x61), "big.txt"), 413)).code).toBe("payload_too_large");
    expect((await errorOf(await upload(owner, null, exe("chatless"), "holiday.png", "image/png"), 415)).code).toBe("unsupported_media_type");
    expect((await errorOf(await anonymous(base()).request("/chat/attachments", { method: "POST", body: new FormData() }), 401)).code).toBe("unauthorized");

    // Its uploader reads it; anyone else: 404 for reading, removing, and 400 for sending it.
    const read = await owner.get(early.url);
    expect(read.status).toBe(200);
    expect(new Uint8Array(await read.arrayBuffer())).toEqual(png(`chatless-${backend}`));
    expect((await errorOf(await stranger.get(early.url), 404)).code).toBe("not_found");
    expect((await errorOf(await stranger.request(early.url, { method: "DELETE" }), 404)).code).toBe("not_found");
    const theirs = await createChat(stranger);
    expect((await errorOf(await stranger.post(`/chat/${theirs.uuid}/send`, { content: "not mine", attachments: [early.uuid] }), 400)).code).toBe("validation_error");
    // Its uploader may change their mind.
    const dropped = await uploaded(owner, null, "never mind", "dropped.txt");
    expect(await json(await owner.request(dropped.url, { method: "DELETE" }), 200)).toEqual({ deleted: true });
    expect((await owner.get(dropped.url)).status).toBe(404);

    // The first send of the chat created at that send binds it: the chat's members read it.
    const chat = await createChat(owner);
    const { user } = await exchange(owner, chat.uuid, "[[fake text=seen]]", { attachments: [early.uuid] });
    expect((user as unknown as { attachments: AttachmentJson[] }).attachments).toEqual([early]);
    const polled = (await messages(owner, chat.uuid)).messages.find((m) => m.uuid === user.uuid) as unknown as { attachments: AttachmentJson[] };
    expect(polled.attachments).toEqual([early]);
    expect((await directSql("select chat_uuid from attachment where uuid = $1", [early.uuid]))[0]?.chat_uuid).toBe(chat.uuid);
    const viewer = await signUp(base());
    await joinAs(owner, chat.uuid, viewer, "viewer");
    expect((await viewer.get(early.url)).status).toBe(200);
    expect((await errorOf(await stranger.get(early.url), 404)).code).toBe("not_found");
    // Sent: it stays with its message, in its chat.
    expect((await errorOf(await owner.request(early.url, { method: "DELETE" }), 409)).code).toBe("conflict");
    const other = await createChat(owner);
    expect((await errorOf(await owner.post(`/chat/${other.uuid}/send`, { content: "again", attachments: [early.uuid] }), 400)).code).toBe("validation_error");
  });

  it("serves uploaded HTML and SVG as inert text: text/plain, a sandboxing CSP, nosniff, downloaded", async () => {
    const chat = await createChat(owner);
    const html = await uploaded(owner, chat.uuid, "<html><script>alert(document.cookie)</script></html>", "page.html", "text/html");
    const svg = await uploaded(owner, chat.uuid, '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>', "ünïcode pic.svg", "image/svg+xml");
    for (const file of [html, svg]) {
      expect(file.mediaType).toBe("text/plain");
      const res = await owner.get(file.url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("content-security-policy")).toBe("sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'");
      expect(res.headers.get("content-disposition")).toMatch(/^attachment; /);
      await res.arrayBuffer();
    }
    const res = await owner.get(svg.url);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="_n_code pic.svg"; filename*=UTF-8''%C3%BCn%C3%AFcode%20pic.svg`);
    await res.arrayBuffer();
  });

  it("deleting a chat deletes its files, and the blobs nothing else names (the bucket's objects after the commit)", async () => {
    const keep = await createChat(owner);
    const gone = await createChat(owner);
    const shared = png(`shared-${backend}`);
    const only = png(`only-${backend}`);
    await exchange(owner, keep.uuid, "[[fake text=kept]]", { attachments: [(await uploaded(owner, keep.uuid, shared, "s.png")).uuid] });
    const onlyFile = await uploaded(owner, gone.uuid, only, "o.png");
    await exchange(owner, gone.uuid, "[[fake text=gone]]", { attachments: [onlyFile.uuid, (await uploaded(owner, gone.uuid, shared, "s.png")).uuid] });
    await uploaded(owner, gone.uuid, png(`unsent-${backend}`), "draft.png");
    const before = await stored();
    for (const b of [shared, only, png(`unsent-${backend}`)]) expect(before.rows.map((r) => r.sha256)).toContain(sha256(b));

    await json(await owner.request(`/api/chats/${gone.uuid}`, { method: "DELETE" }), 200);
    const after = await stored();
    const hashes = after.rows.map((r) => r.sha256);
    expect(hashes).toContain(sha256(shared));
    expect(hashes).not.toContain(sha256(only));
    expect(hashes).not.toContain(sha256(png(`unsent-${backend}`)));
    if (backend === "s3") expect(after.objects).toEqual(after.rows.map((r) => r.sha256).sort());
    expect((await owner.get(onlyFile.url)).status).toBe(404);
    await expectInvariants(base());
  });

  it("exports a chat's files with their bytes and the account's by reference; an import restores them", async () => {
    const chat = await createChat(owner, { title: "With files" });
    const image = png(`export-${backend}`);
    const file = await uploaded(owner, chat.uuid, image, "chart.png");
    const { user } = await exchange(owner, chat.uuid, "[[fake text=noted]]", { attachments: [file.uuid] });

    const one = await owner.get(`/api/chats/${chat.uuid}/export?format=json`);
    const exported = (await one.json()) as { chats: { uuid?: string; messages: { uuid?: string; attachments?: { name: string; sha256: string; data?: string; mediaType: string; size: number }[] }[] }[] };
    const carried = exported.chats[0]!.messages.find((m) => m.uuid === user.uuid)!.attachments!;
    expect(carried).toEqual([{ name: "chart.png", mediaType: "image/png", size: image.byteLength, sha256: sha256(image), data: Buffer.from(image).toString("base64") }]);
    const md = await (await owner.get(`/api/chats/${chat.uuid}/export?format=md`)).text();
    expect(md).toContain("chart.png (image/png");

    // Another account imports the chat: its own copy of the file, readable by it alone.
    const other = await signUp(base());
    const imported = await json<{ imported: { uuid: string; filesLeftOut?: number }[] }>(await other.post("/api/import", exported), 201);
    expect(imported.imported[0]!.filesLeftOut).toBeUndefined();
    const theirs = await messages(other, imported.imported[0]!.uuid);
    const copy = (theirs.messages.find((m) => m.role === "user") as unknown as { attachments: AttachmentJson[] }).attachments[0]!;
    expect(copy).toMatchObject({ name: "chart.png", mediaType: "image/png", size: image.byteLength });
    expect(new Uint8Array(await (await other.get(copy.url)).arrayBuffer())).toEqual(image);
    expect((await owner.get(copy.url)).status).toBe(404);

    // Bytes that are not what the file says they are: refused whole.
    // (As a new chat: no uuids, so no parents naming them either; the file is then one branch.)
    const tampered = structuredClone(exported) as typeof exported & { chats: { messages: { parentUuid?: unknown }[] }[] };
    delete tampered.chats[0]!.uuid;
    for (const m of tampered.chats[0]!.messages) {
      delete m.uuid;
      delete m.parentUuid;
    }
    tampered.chats[0]!.messages.find((m) => m.attachments)!.attachments![0]!.data = Buffer.from(png("other")).toString("base64");
    expect((await errorOf(await other.post("/api/import", tampered), 400)).message).toMatch(/SHA-256/);

    // The all-chats export names files by hash: the owner's own files come back, another account's do not.
    const all = (await (await owner.get("/api/export")).json()) as typeof exported;
    const mine = all.chats.find((c) => c.uuid === chat.uuid)!;
    expect(mine.messages.find((m) => m.uuid === user.uuid)!.attachments![0]!.data).toBeUndefined();
    const again = { ...all, chats: [{ ...mine, uuid: undefined, messages: mine.messages.map((m) => ({ ...m, uuid: undefined, parentUuid: undefined })) }] };
    const restored = await json<{ imported: { uuid: string; filesLeftOut?: number }[] }>(await owner.post("/api/import", again), 201);
    expect(restored.imported[0]!.filesLeftOut).toBeUndefined();
    const back = (await messages(owner, restored.imported[0]!.uuid)).messages.find((m) => m.role === "user") as unknown as { attachments: AttachmentJson[] };
    expect(new Uint8Array(await (await owner.get(back.attachments[0]!.url)).arrayBuffer())).toEqual(image);
    const stranger = await signUp(base());
    const refused = await json<{ imported: { uuid: string; filesLeftOut?: number }[] }>(await stranger.post("/api/import", again), 201);
    expect(refused.imported[0]!.filesLeftOut).toBe(1);
  });

  it("sweeps uploads left unsent for more than a day, with their blobs", async () => {
    const chat = await createChat(owner);
    const old = await uploaded(owner, chat.uuid, png(`stale-${backend}`), "forgotten.png");
    await directSql("update attachment set created_at = now() - interval '2 days' where uuid = $1", [old.uuid]);
    // Each upload sweeps what is stale, after answering.
    await uploaded(owner, chat.uuid, "fresh", "fresh.txt");
    await until("the stale upload to be swept", async () => ((await owner.get(old.url)).status === 404 ? true : undefined));
    const { rows, objects } = await stored();
    expect(rows.map((r) => r.sha256)).not.toContain(sha256(png(`stale-${backend}`)));
    expect(objects).not.toContain(sha256(png(`stale-${backend}`)));
  });
});
