/**
 * Runs the fake OpenAI server standalone:
 *
 *   node test/support/fake-openai-cli.ts --port 4010 [--host 127.0.0.1]
 *
 * Prints `fake-openai listening on <url>` and stops on SIGINT/SIGTERM.
 * `--port 0` picks a free port. Erasable TypeScript only (run by plain node).
 */
import { parseArgs } from "node:util";
import { startFakeOpenAI } from "./fake-openai.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", short: "p", default: "4010" },
    host: { type: "string", short: "H", default: "127.0.0.1" },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});

if (values.help) {
  console.log("usage: node test/support/fake-openai-cli.ts [--port 4010] [--host 127.0.0.1]");
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`fake-openai: invalid --port ${JSON.stringify(values.port)}`);
  process.exit(2);
}

const server = await startFakeOpenAI({ port, host: values.host });
console.log(`fake-openai listening on ${server.url}`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`fake-openai: ${signal}, shutting down (${server.requests.length} chat requests served)`);
  server.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
