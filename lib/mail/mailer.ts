/**
 * Outgoing mail (address verification, password reset) through nodemailer over SMTP
 * (`SMTP_URL`, `MAIL_FROM`). Without SMTP_URL (the embedded default) nothing is sent: the mail
 * is written to the server log, and in development the page that asked for it shows the link.
 */
import "server-only";
import nodemailer, { type Transporter } from "nodemailer";
import { env } from "../env";
import { log } from "../log";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

let transport: { url: string; transporter: Transporter } | undefined;

function transporter(url: string): Transporter {
  if (transport?.url !== url) transport = { url, transporter: nodemailer.createTransport(url) };
  return transport.transporter;
}

/** Whether mail really leaves the server (SMTP_URL is set). */
export function mailConfigured(): boolean {
  return env().SMTP_URL !== undefined;
}

/** Sends a mail, or logs it when no SMTP server is configured. Throws when the SMTP server refuses it. */
export async function sendMail(mail: Mail): Promise<void> {
  const { SMTP_URL, MAIL_FROM } = env();
  if (!SMTP_URL) {
    // The text (with its link) for whoever runs the server; not the address: logs hold no personal data.
    log().info({ mail: { subject: mail.subject, text: mail.text } }, "mail not sent (no SMTP_URL): its text is here");
    return;
  }
  await transporter(SMTP_URL).sendMail({ from: MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text });
}

/** A link to show on the page instead of in a mailbox: only in development without SMTP. */
export function devLink(link: string): { devLink?: string } {
  return !mailConfigured() && env().NODE_ENV === "development" ? { devLink: link } : {};
}
