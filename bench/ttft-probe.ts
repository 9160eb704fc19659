/**
 * Where the time between POST /send and the model being asked goes, for one answer at a time
 * on an idle server: the send's round trip, then the runner's steps until the model's request
 * arrives at the fake model (this process's clock for both).
 *
 *   node bench/ttft-probe.ts [--answers 20]
 */
import { parseArgs } from "node:util";
import { createChat, median, now, send, signUp, startStack, sleep } from "./lib/harness.ts";

const { values } = parseArgs({ options: { answers: { type: "string", default: "20" } }, strict: true });
const stack = await startStack({ env: { LOG_LEVEL: "info" } });
try {
  const client = await signUp(stack.app.url);
  const sendMs: number[] = [];
  const toModel: number[] = [];
  const afterResponse: number[] = [];
  for (let i = 0; i < Number(values.answers); i++) {
    const chat = await createChat(client);
    const id = `probe-${i}-${Date.now()}`;
    const t0 = now();
    await send(client, chat, `[[fake text="ok"]] ${id}`);
    const t1 = now();
    for (let tries = 0; tries < 200 && !stack.fake.requests.some((r) => r.messages.at(-1)?.content.includes(id)); tries++) await sleep(2);
    const req = stack.fake.requests.find((r) => r.messages.at(-1)?.content.includes(id))!;
    sendMs.push(t1 - t0);
    toModel.push(req.receivedAt - t0);
    afterResponse.push(req.receivedAt - t1);
    await sleep(300);
  }
  const f = (xs: number[]) => `p50 ${median(xs).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
  console.log(`POST /send round trip: ${f(sendMs)}`);
  console.log(`POST /send began -> model asked: ${f(toModel)}`);
  console.log(`send answered -> model asked: ${f(afterResponse)}`);
} finally {
  await stack.stop();
}
