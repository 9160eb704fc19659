/** Usage per UTC day and model: requests, input and output tokens; estimated figures marked ≈. */
import { formatCount } from "@/lib/duration";
import type { UsageRow } from "@/lib/contract";

export function UsageTable({ days, periodDays }: { days: UsageRow[]; periodDays: number }) {
  if (days.length === 0) return <p className="empty">No answers in the last {periodDays} days yet.</p>;
  const anyEstimated = days.some((d) => d.estimated);
  const figure = (n: number, estimated: boolean) => `${estimated ? "≈ " : ""}${formatCount(n)}`;
  return (
    <>
      <div className="table-wrap" tabIndex={0}>
        <table className="data-table" data-testid="usage-table">
          <caption className="sr-only">Usage per day and model, last {periodDays} days</caption>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col">Model</th>
              <th scope="col" className="num">
                Answers
              </th>
              <th scope="col" className="num">
                Input tokens
              </th>
              <th scope="col" className="num">
                Output tokens
              </th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={`${d.day}|${d.model}`}>
                <td>{d.day}</td>
                <td className="mono">{d.model}</td>
                <td className="num">{formatCount(d.requests)}</td>
                <td className="num">{figure(d.inputTokens, d.estimated)}</td>
                <td className="num">{figure(d.outputTokens, d.estimated)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {anyEstimated && (
        <p className="footnote">
          ≈ Estimated at about 4 characters a token: the demo model reports no real usage, and an answer stopped before its model
          reported usage is estimated from its text.
        </p>
      )}
    </>
  );
}
