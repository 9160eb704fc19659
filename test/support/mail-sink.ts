/**
 * A real SMTP server for tests (the `smtp-server` package): the app sends its mail to it over
 * SMTP (SMTP_URL), and each message is written to a directory, one file per recipient and
 * message, so that any test process can read the mail of an address and follow its link.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { SMTPServer } from "smtp-server";

export interface MailSink {
  /** smtp://127.0.0.1:port, for SMTP_URL. */
  url: string;
  dir: string;
  close(): Promise<void>;
}

const fileName = (to: string, n: number) => `${encodeURIComponent(to.toLowerCase())}__${String(Date.now()).padStart(15, "0")}_${n}.eml`;

export async function startMailSink(dir: string): Promise<MailSink> {
  mkdirSync(dir, { recursive: true });
  let n = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    hideSTARTTLS: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        for (const rcpt of session.envelope.rcptTo) writeFileSync(path.join(dir, fileName(rcpt.address, n++)), raw);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, dir, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The body of a message with quoted-printable soft breaks and escapes undone (nodemailer wraps long lines). */
function decoded(raw: string): string {
  return raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** The mails received for `to`, oldest first, decoded. */
export function mailsFor(dir: string, to: string): string[] {
  const prefix = `${encodeURIComponent(to.toLowerCase())}__`;
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.startsWith(prefix)).sort();
  } catch {
    return [];
  }
  return files.map((f) => decoded(readFileSync(path.join(dir, f), "utf8")));
}

/** Waits for the `count`-th mail to `to` (1: the first) and answers it. */
export async function waitForMail(dir: string, to: string, count = 1, timeoutMs = 10_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const mails = mailsFor(dir, to);
    if (mails.length >= count) return mails[count - 1]!;
    if (Date.now() > until) throw new Error(`no mail #${count} to ${to} within ${timeoutMs} ms (have ${mails.length})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The first link to `pathname` in a mail: its path and query, e.g. /verify-email?token=… */
export function linkIn(mail: string, pathname: string): URL {
  const m = new RegExp(`https?://[^\\s"<>]+${pathname.replace(/[/]/g, "\\/")}\\?token=[A-Za-z0-9_-]+`).exec(mail);
  if (!m) throw new Error(`no ${pathname} link in the mail:\n${mail.slice(0, 2000)}`);
  return new URL(m[0]);
}
