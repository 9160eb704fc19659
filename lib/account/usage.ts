/**
 * What a user sees of their own account: their quotas with what is used of each and when it
 * resets, and their usage per UTC day and model (GET /api/account/usage, the /account page).
 */
import "server-only";
import { AppError } from "../errors";
import { quotasFor, quotaStates, type QuotaName } from "../quotas";
import { getDb } from "@/db/client";
import { quotaSubject, usageByDay, userLoad } from "@/db/queries/usage";
import { storageUsed } from "@/db/queries/attachments";
import type { UsageDto, UsageRow, UsageTotals } from "@/lib/contract";

export const USAGE_DAYS = 30;

export const QUOTA_LABELS: Record<QuotaName, string> = {
  messagesPerHour: "Messages per hour",
  tokensPerDay: "Tokens per day",
  concurrent: "Answers generating at once",
  storageBytes: "Files",
};


function sum(rows: UsageRow[]): UsageTotals {
  return rows.reduce<UsageTotals>(
    (t, r) => ({
      requests: t.requests + r.requests,
      inputTokens: t.inputTokens + r.inputTokens,
      outputTokens: t.outputTokens + r.outputTokens,
      estimated: t.estimated || r.estimated,
    }),
    { requests: 0, inputTokens: 0, outputTokens: 0, estimated: false },
  );
}

export async function accountUsage(userId: string, now: Date = new Date()): Promise<UsageDto> {
  const db = await getDb();
  const [subject, load, days, storageBytes] = await Promise.all([
    quotaSubject(db, userId),
    userLoad(db, userId),
    usageByDay({ userId, days: USAGE_DAYS }),
    storageUsed(db, userId),
  ]);
  if (!subject) throw new AppError("unauthorized", "Sign in to continue.");
  const { limits, overridden } = quotasFor(subject);
  const quotas = quotaStates({ ...load, storageBytes }, limits, now).map((s) => ({
    name: s.name,
    label: QUOTA_LABELS[s.name],
    limit: s.limit,
    used: s.used,
    overridden: overridden.includes(s.name),
    resetsAt: s.resetsAt?.toISOString() ?? null,
    resetsIn: s.resetsIn ?? null,
    untilReset: s.resetsAt ? Math.max(1, Math.ceil((s.resetsAt.getTime() - now.getTime()) / 1000)) : null,
  }));
  const today = now.toISOString().slice(0, 10);
  return { quotas, days, totals: { today: sum(days.filter((d) => d.day === today)), period: { ...sum(days), days: USAGE_DAYS } } };
}
