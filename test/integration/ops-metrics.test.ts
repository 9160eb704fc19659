/**
 * Metrics: GET /api/metrics answers this process's counters in the Prometheus text format to
 * `Authorization: Bearer $METRICS_TOKEN`, 401 to anyone else, and 404 when no token is set.
 */
import { afterAll, describe, expect, it } from "vitest";
import { anonymous, signUp } from "../support/client.ts";
import { createChat, exchange } from "../support/chat.ts";
import { ownServer, parsePrometheus, sampleValue, type OwnServer } from "./ops-helpers.ts";
import { sharedBaseUrl } from "../support/context.ts";
import { until } from "../support/wait.ts";
import { checkedFetch } from "../support/contract.ts";

const TOKEN = "metrics-token-for-tests-0123456789";
let own: OwnServer | undefined;
afterAll(async () => {
  await own?.close();
});

async function scrape(url: string) {
  const res = await checkedFetch(`${url}/api/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

describe("metrics", () => {
  it("answers 404 when METRICS_TOKEN is not set (the shared server)", async () => {
    const res = await anonymous(sharedBaseUrl()).get("/api/metrics");
    expect(res.status).toBe(404);
  });

  it("counts requests, polls, generations and generated tokens, for the token only", async () => {
    own = await ownServer({ METRICS_TOKEN: TOKEN });
    const url = own.server.url;

    expect((await checkedFetch(`${url}/api/metrics`)).status).toBe(401);
    const wrong = await checkedFetch(`${url}/api/metrics`, { headers: { authorization: "Bearer not-the-token" } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer/);

    const before = await scrape(url);
    expect(before.types.get("pollchat_http_requests_total")).toBe("counter");
    expect(before.types.get("pollchat_poll_duration_seconds")).toBe("histogram");

    const client = await signUp(url);
    const chat = await createChat(client);
    const { polled } = await exchange(client, chat.uuid, '[[fake text="counted " repeat=10 chunk=4 delay=5 usage_completion=37]]');
    expect(polled.status).toBe("completed");
    // One request that fails validation, counted with its status.
    expect((await client.get("/chat/not-a-uuid/messages")).status).toBe(400);

    // The runner counts the generation right after storing its end, which a poll may see first.
    const { samples, types } = await until(
      "the generation counted",
      async () => {
        const scraped = await scrape(url);
        return sampleValue(scraped.samples, "pollchat_generations_in_progress") === 0 ? scraped : undefined;
      },
      10_000,
      50,
    );
    expect(sampleValue(samples, "pollchat_http_requests_total", { route: "/chat/[uuid]/send", method: "POST", status: "201" })).toBe(1);
    expect(sampleValue(samples, "pollchat_http_requests_total", { route: "/chat/create", method: "POST", status: "201" })).toBe(1);
    expect(sampleValue(samples, "pollchat_http_requests_total", { route: "/chat/[uuid]/messages", method: "GET", status: "400" })).toBe(1);
    expect(sampleValue(samples, "pollchat_http_requests_total", { route: "/api/metrics", status: "401" })).toBe(2);
    // Route labels are templates: no uuid in any label.
    for (const s of samples) for (const v of Object.values(s.labels)) expect(v).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);

    // The poll latency histogram: every token poll is in it, buckets cumulative up to +Inf.
    const tokenPolls = sampleValue(samples, "pollchat_http_requests_total", { route: "/chat/message/[uuid]/tokens/[position]", method: "GET" });
    expect(tokenPolls).toBe(polled.polls);
    const route = { route: "/chat/message/[uuid]/tokens/[position]" };
    expect(sampleValue(samples, "pollchat_poll_duration_seconds_count", route)).toBe(tokenPolls);
    expect(sampleValue(samples, "pollchat_poll_duration_seconds_bucket", { ...route, le: "+Inf" })).toBe(tokenPolls);
    expect(sampleValue(samples, "pollchat_poll_duration_seconds_sum", route)).toBeGreaterThan(0);
    const buckets = samples.filter((s) => s.name === "pollchat_poll_duration_seconds_bucket" && s.labels.route === route.route).map((s) => s.value);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    expect(sampleValue(samples, "pollchat_poll_duration_seconds_count", { route: "/chat/[uuid]/messages/[last_uuid]" })).toBeGreaterThan(0);

    // Generations by outcome, tokens and characters by model.
    expect(types.get("pollchat_generations_total")).toBe("counter");
    expect(sampleValue(samples, "pollchat_generations_total", { outcome: "completed" })).toBe(1);
    expect(sampleValue(samples, "pollchat_generated_tokens_total")).toBe(37);
    expect(sampleValue(samples, "pollchat_generated_characters_total")).toBe([...polled.text].length);
    expect(samples.find((s) => s.name === "pollchat_generated_tokens_total")?.labels.model).toMatch(/fake-model$/);
    expect(sampleValue(samples, "pollchat_generations_in_progress")).toBe(0);
  });
});
