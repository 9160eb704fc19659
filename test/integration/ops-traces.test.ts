/**
 * Traces: with OTEL_EXPORTER_OTLP_ENDPOINT set, spans of Next.js (requests) and of the AI
 * SDK (the model call) reach that endpoint over OTLP/HTTP, under the resource that
 * OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES give; prompt and answer text are not in them
 * (LOG_PROMPTS is off). Without the variable nothing is sent (the shared server).
 *
 * Logs join traces: every log line of a request, and of the generation it runs in the
 * background (after() for a send, the poll's own stand-in when a poll resumes an answer),
 * carries the trace_id and span_id of spans that were exported for that request.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestClient } from "../support/client.ts";
import { createChat, exchange, pollTokens, send, until, waitForAnswer } from "../support/chat.ts";
import { logLines, ownServer, type LogLine, type OwnServer } from "./ops-helpers.ts";

interface Received {
  path: string;
  contentType: string;
  body: string;
}

/** A stand-in for an OpenTelemetry collector: records every POST. */
async function collector(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", contentType: req.headers["content-type"] ?? "", body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  attributes?: { key: string; value: { stringValue?: string; intValue?: number } }[];
}
interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: { scope?: { name?: string }; spans?: OtlpSpan[] }[];
  }[];
}

function spansOf(received: Received[]) {
  const spans: (OtlpSpan & { scope: string; service?: string })[] = [];
  for (const r of received) {
    const body = JSON.parse(r.body) as OtlpTraces;
    for (const rs of body.resourceSpans ?? []) {
      const service = rs.resource?.attributes?.find((a) => a.key === "service.name")?.value.stringValue;
      for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) spans.push({ ...s, scope: ss.scope?.name ?? "", service });
    }
  }
  return spans;
}

let own: OwnServer;
let otlp: Awaited<ReturnType<typeof collector>>;
let client: TestClient;
beforeAll(async () => {
  otlp = await collector();
  own = await ownServer({
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_SERVICE_NAME: "pollchat-test",
    // OTEL_SERVICE_NAME wins over a service.name in OTEL_RESOURCE_ATTRIBUTES (the spec's order).
    OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=ci%2Cone,service.name=overridden,service.namespace=chat",
    OTEL_BSP_SCHEDULE_DELAY: "200",
    // The polls' request lines are debug.
    LOG_LEVEL: "debug",
    // A runner hands over after 3 s, so that a poll resumes the answer (the last test). Under
    // FIRST_TOKEN_TIMEOUT_MS (4 s in tests); the other answers take a fraction of it.
    RUNNER_TIME_BUDGET_MS: "3000",
  });
  client = await signUp(own.server.url);
});
afterAll(async () => {
  await own?.close();
  await new Promise((r) => otlp?.server.close(r));
});

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

/** The server's log lines of one request: its own line and those of the work it started. */
function linesOfRequest(requestId: unknown): LogLine[] {
  return logLines(own.server.logs()).json.filter((l) => l.requestId === requestId);
}

/** The line `msg` about the generation of the answer in `chatUuid`, at `attempt`. */
async function generationLine(chatUuid: string, msg: string, attempt: number, llmRequestId?: unknown): Promise<LogLine> {
  return until(`"${msg}" (attempt ${attempt}) in the log`, async () =>
    logLines(own.server.logs()).json.find(
      (l) => l.msg === msg && l.attempt === attempt && (llmRequestId === undefined ? l.chatUuid === chatUuid : l.llmRequestId === llmRequestId),
    ),
  );
}

/**
 * Every line carries one trace: the id of a trace that was exported, and span ids of spans
 * exported in it. Returns that trace's exported spans.
 */
async function expectOneExportedTrace(lines: LogLine[]) {
  for (const l of lines) {
    expect(l.trace_id, JSON.stringify(l)).toMatch(HEX32);
    expect(l.span_id, JSON.stringify(l)).toMatch(HEX16);
    expect(l.trace_flags, JSON.stringify(l)).toBe("01");
  }
  const traceIds = new Set(lines.map((l) => l.trace_id));
  expect(traceIds.size, JSON.stringify(lines)).toBe(1);
  const traceId = lines[0]!.trace_id;
  const spanIds = new Set(lines.map((l) => l.span_id));
  return until(`the spans of trace ${String(traceId)}`, async () => {
    const inTrace = spansOf(otlp.received).filter((s) => s.traceId === traceId);
    return [...spanIds].every((id) => inTrace.some((s) => s.spanId === id)) ? inTrace : undefined;
  });
}

describe("OpenTelemetry traces", () => {
  it("reach the OTLP endpoint: request spans from Next.js and the model call from the AI SDK", async () => {
    const chat = await createChat(client);
    const secret = `Traced-${randomBytes(6).toString("hex")}`;
    const { polled } = await exchange(client, chat.uuid, `${secret} [[fake text="traced answer " repeat=5]]`);
    expect(polled.status).toBe("completed");

    const received = otlp.received;
    const spans = await until(
      "the spans of the send and of the model call",
      async () => {
        const all = spansOf(received);
        const send = all.find((s) => s.name.includes("/chat/[uuid]/send"));
        // The AI SDK's spans follow the GenAI semantic conventions: `invoke_agent <model>` for
        // the answer (functionId pollchat.answer), `chat <model>` for each model call.
        const ai = all.filter((s) => s.scope === "gen_ai");
        const answer = ai.find((s) => s.name.startsWith("invoke_agent") && s.attributes?.some((a) => a.key === "gen_ai.agent.name" && a.value.stringValue === "pollchat.answer"));
        const call = ai.find((s) => s.name === "chat fake-model");
        return send && answer && call ? { all, send, answer, call } : undefined;
      },
      20_000,
      200,
    );
    for (const r of received) {
      expect(r.path).toBe("/v1/traces");
      expect(r.contentType).toMatch(/json/);
    }
    expect(spans.all.every((s) => s.service === "pollchat-test")).toBe(true);
    for (const r of received) {
      const resources = (JSON.parse(r.body) as OtlpTraces).resourceSpans ?? [];
      for (const rs of resources) {
        expect(rs.resource?.attributes).toContainEqual({ key: "deployment.environment", value: { stringValue: "ci,one" } });
        expect(rs.resource?.attributes).toContainEqual({ key: "service.namespace", value: { stringValue: "chat" } });
      }
    }
    expect(spans.send.scope).toBe("next.js");
    // The model call was traced with its usage, without the prompt or the answer.
    expect(spans.call.attributes?.find((a) => a.key === "gen_ai.usage.output_tokens")?.value.intValue).toBeGreaterThan(0);
    const everything = received.map((r) => r.body).join("\n");
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain("traced answer");
  });

  it("log lines of a send and of the generation it runs in after() carry the send's exported trace", async () => {
    const chat = await createChat(client);
    const { polled } = await exchange(client, chat.uuid, '[[fake text="joined " repeat=5]]');
    expect(polled.status).toBe("completed");

    const started = await generationLine(chat.uuid, "generation started", 1);
    const completed = await generationLine(chat.uuid, "generation completed", 1, started.llmRequestId);
    // The send's own line and the runner's, all written under the send's request id.
    const lines = linesOfRequest(started.requestId);
    expect(lines.find((l) => l.msg === "request")).toMatchObject({ method: "POST", route: "/chat/[uuid]/send", status: 201 });
    expect(lines).toContainEqual(completed);

    const trace = await expectOneExportedTrace(lines);
    // The trace is the send's: Next's span of the request, and the AI SDK's span of the answer
    // (started inside after(), in the request's context, so a child in the same trace).
    expect(trace.some((s) => s.scope === "next.js" && s.name.includes("/chat/[uuid]/send"))).toBe(true);
    await until("the answer's AI SDK span in the send's trace", async () =>
      spansOf(otlp.received).some((s) => s.traceId === started.trace_id && s.scope === "gen_ai" && s.name.startsWith("invoke_agent")) || undefined,
    );
  });

  it("a poll that resumes an answer logs it under the poll's exported trace, from the polls' fast path", async () => {
    const chat = await createChat(client);
    // The first model call waits 5 s (429, Retry-After): the runner hands over at its 3 s
    // budget and the next poll starts attempt 2, which the model answers at once.
    const content = `[[fake text="resumed by a poll ${randomBytes(4).toString("hex")} " repeat=4 fail_times=1 status=429 retry_after=5]]`;
    const user = await send(client, chat.uuid, content);
    const answer = await waitForAnswer(client, chat.uuid, user.uuid);
    const polled = await pollTokens(client, answer.uuid, { everyMs: 100, timeoutMs: 30_000 });
    expect(polled.status).toBe("completed");

    const first = await generationLine(chat.uuid, "generation started", 1);
    await generationLine(chat.uuid, "generation handed over", 1, first.llmRequestId);
    const resumed = await generationLine(chat.uuid, "generation started", 2);
    await generationLine(chat.uuid, "generation completed", 2, first.llmRequestId);

    const lines = linesOfRequest(resumed.requestId);
    const poll = lines.find((l) => l.msg === "request");
    expect(String(poll?.route)).toMatch(/^\/chat\/(\[uuid\]\/messages|message\/\[uuid\]\/tokens)/);
    expect(lines.filter((l) => l.llmRequestId === first.llmRequestId).map((l) => l.msg)).toEqual(["generation started", "generation completed"]);

    const trace = await expectOneExportedTrace(lines);
    // Its own trace, not the send's.
    expect(resumed.trace_id).not.toBe(first.trace_id);
    // The poll was answered by the fast path (lib/http/poll-fast-path.ts), in its own server span.
    expect(trace.some((s) => s.scope === "pollchat" && /^GET \/chat\//.test(String((s as { name?: string }).name)))).toBe(true);
  });
});
