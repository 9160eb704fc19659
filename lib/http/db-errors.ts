/** Is this error the database being unreachable (as opposed to a bug or bad data)? */
export function isDatabaseDown(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== "string") continue;
    if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|CONNECT_TIMEOUT|CONNECTION_CLOSED|CONNECTION_ENDED|CONNECTION_DESTROYED)$/.test(code)) return true;
    // PostgreSQL: admin shutdown, crash shutdown, cannot connect now, too many connections.
    if (/^(57P01|57P02|57P03|53300|08\d{3})$/.test(code)) return true;
  }
  return (err as { name?: string } | null)?.name === "DatabaseConfigError";
}
