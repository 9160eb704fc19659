/**
 * Traces: with OTEL_EXPORTER_OTLP_ENDPOINT set, spans of Next.js (requests) and of the AI
 * SDK (the model call) reach that endpoint over OTLP/HTTP; prompt and answer text are not in
 * them (LOG_PROMPTS is off). Without the variable nothing is sent (the shared server).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { signUp } from "../support/client.ts";
import { createChat, exchange, until } from "../support/chat.ts";
import { ownServer, type OwnServer } from "./ops-helpers.ts";

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

let own: OwnServer | undefined;
let otlp: Awaited<ReturnType<typeof collector>> | undefined;
afterAll(async () => {
  await own?.close();
  await new Promise((r) => otlp?.server.close(r));
});

describe("OpenTelemetry traces", () => {
  it("reach the OTLP endpoint: request spans from Next.js and the model call from the AI SDK", async () => {
    otlp = await collector();
    // OTEL_SERVICE_NAME wins over a service.name in OTEL_RESOURCE_ATTRIBUTES (the spec's order).
    const OTEL_RESOURCE_ATTRIBUTES = "deployment.environment=ci%2Cone,service.name=overridden";
    own = await ownServer({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_SERVICE_NAME: "pollchat-test", OTEL_RESOURCE_ATTRIBUTES, OTEL_BSP_SCHEDULE_DELAY: "200" });
    const client = await signUp(own.server.url);
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
      for (const rs of resources) expect(rs.resource?.attributes).toContainEqual({ key: "deployment.environment", value: { stringValue: "ci,one" } });
    }
    expect(spans.send.scope).toBe("next.js");
    // The model call was traced with its usage, without the prompt or the answer.
    expect(spans.call.attributes?.find((a) => a.key === "gen_ai.usage.output_tokens")?.value.intValue).toBeGreaterThan(0);
    const everything = received.map((r) => r.body).join("\n");
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain("traced answer");
  });
});
