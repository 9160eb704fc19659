"use client";

/** Export all chats (a download) and import an export file back. */
import { useRef, useState } from "react";
import Link from "next/link";
import { IconDownload } from "@/components/chat/icons";

interface ImportResult {
  imported: { uuid: string; title: string; messages: number }[];
  skipped: { uuid: string; title: string }[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const titled = (t: string) => t.trim() || "Untitled chat";

export function DataTransfer() {
  const fileRef = useRef<HTMLInputElement>(null);
  const [fileName, setFileName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [result, setResult] = useState<ImportResult | null>(null);

  async function importFile(e: React.FormEvent) {
    e.preventDefault();
    const file = fileRef.current?.files?.[0];
    if (!file) return;
    setBusy(true);
    setError("");
    setResult(null);
    try {
      // The file goes as it is: the server validates it (and says which field is wrong).
      const res = await fetch("/api/import", { method: "POST", headers: { "content-type": "application/json" }, body: await file.text(), credentials: "same-origin" });
      const body = (await res.json().catch(() => null)) as (ImportResult & { error?: { message?: string } }) | null;
      if (!res.ok) throw new Error(body?.error?.message ?? `The server answered ${res.status}.`);
      setResult(body);
      if (fileRef.current) fileRef.current.value = "";
      setFileName("");
    } catch (err) {
      setError(err instanceof Error && err.message !== "Failed to fetch" ? err.message : "The server is not answering. Try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <section className="card" aria-labelledby="export-all">
        <h2 id="export-all">Export</h2>
        <p>Download every chat you own, with all its messages, as one JSON file. A single chat exports from its menu in the sidebar, as Markdown or JSON.</p>
        <a className="btn btn-primary" href="/api/export" download>
          <IconDownload size={16} /> Export all chats
        </a>
      </section>

      <section className="card" aria-labelledby="import">
        <h2 id="import">Import</h2>
        <p>
          Recreate the chats of an export file in this account. Chats that are already here are left as they are, so importing the same file twice adds nothing.
          Answers that were still being written come back stopped.
        </p>
        <form className="inline-form" onSubmit={(e) => void importFile(e)}>
          <div className="field">
            <label htmlFor="import-file">Export file (.json)</label>
            <input id="import-file" ref={fileRef} type="file" accept=".json,application/json" onChange={(e) => setFileName(e.currentTarget.files?.[0]?.name ?? "")} />
          </div>
          <button type="submit" className="btn btn-primary" disabled={busy || !fileName}>
            {busy ? "Importing…" : "Import"}
          </button>
        </form>
        {error && (
          <p className="form-error" role="alert" style={{ marginTop: 14 }}>
            {error}
          </p>
        )}
        {result && (
          <div className="result" role="status" data-testid="import-result">
            {result.imported.length > 0 ? `Imported ${plural(result.imported.length, "chat")}.` : "Nothing new to import."}
            {result.skipped.length > 0 && ` ${plural(result.skipped.length, "chat was", "chats were")} already here and left as ${result.skipped.length === 1 ? "it is" : "they are"}.`}
            {result.imported.length > 0 && (
              <ul>
                {result.imported.slice(0, 20).map((c) => (
                  <li key={c.uuid}>
                    <Link href={`/chat/${c.uuid}`}>{titled(c.title)}</Link> ({plural(c.messages, "message")})
                  </li>
                ))}
                {result.imported.length > 20 && <li>and {result.imported.length - 20} more</li>}
              </ul>
            )}
          </div>
        )}
      </section>
    </>
  );
}
