/** The soak's result as text: a summary for the terminal that is also a bench/RESULTS-soak.md entry. */
import { ENDPOINTS } from "./stats.ts";
import type { SoakResult } from "./run.ts";

export function formatResult(r: SoakResult, command: string): string {
  const o = r.options;
  const lines = [
    `### ${r.date.slice(0, 10)}: ${o.clients} clients, ${o.generating} generating, ${o.durationS} s on ${r.database}${(o.servers ?? 1) > 1 ? `, ${o.servers} servers (each client sends through one, polls through the next)` : ""} (${r.ok ? "passed" : "FAILED"})`,
    "",
    `- Command: \`${command}\``,
    `- Machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memoryGb} GB, ${r.machine.platform}, Node ${r.machine.node}; load average at start ${r.machine.loadAverageAtStart.join(" / ")}`,
    `- Ran ${r.elapsedS} s (load ${o.durationS} s, then the answers in flight finished): ${r.requests} requests (${r.requestsPerS}/s), poll every ${o.pollMs} ms, seed ${o.seed}`,
    `- Answers: ${r.answers.sent} sent, ${r.answers.verified} verified (${r.answers.perS}/s), ${r.answers.replaced} restarted (append:false), ${r.answers.charsReceived} characters polled`,
    `- **Errors: ${r.errors}; mismatches (lost, doubled or differing text, protocol breaks): ${r.mismatches}**`,
    `- Server memory (RSS of \`next start\` and its ${r.serverMemoryMb.processes - 1} child processes): start ${r.serverMemoryMb.start} MB, peak ${r.serverMemoryMb.peak} MB, end ${r.serverMemoryMb.end} MB`,
    `- Load generator: RSS ${r.loadGeneratorMemoryMb.start} / ${r.loadGeneratorMemoryMb.peak} / ${r.loadGeneratorMemoryMb.end} MB, event-loop lag p50 ${r.eventLoopLagMs.p50} ms, p99 ${r.eventLoopLagMs.p99} ms, max ${r.eventLoopLagMs.max} ms`,
    "",
    "| endpoint | requests | p50 ms | p95 ms | p99 ms | max ms |",
    "|---|---:|---:|---:|---:|---:|",
    ...ENDPOINTS.map((e) => {
      const l = r.latencyMs[e];
      return `| ${label[e]} | ${l.count} | ${l.p50} | ${l.p95} | ${l.p99} | ${l.max} |`;
    }),
  ];
  if (r.problems.length > 0) {
    lines.push("", `First ${r.problems.length} problems:`, ...r.problems.map((p) => `- ${p.atMs} ms ${p.kind}${p.endpoint ? ` ${p.endpoint}` : ""}${p.status ? ` ${p.status}` : ""}: ${p.detail}`));
  }
  return lines.join("\n");
}

const label: Record<(typeof ENDPOINTS)[number], string> = {
  send: "`POST /chat/{uuid}/send`",
  messages: "`GET /chat/{uuid}/messages/{last_uuid}` (poll)",
  tokens: "`GET /chat/message/{uuid}/tokens/{position}` (poll)",
  verify: "`GET /chat/{uuid}/messages/{last_uuid}` (final check)",
};
