/**
 * Runs one generation, detached from any HTTP connection: claim the request, stream from the
 * model with the AI SDK, write the output to PostgreSQL in batches, and end it in one
 * transaction. Every write is fenced by the claimed attempt, so a runner that lost its claim
 * (cancelled, lease taken over after a stall, chat deleted) stops at its next write.
 */
import "server-only";
import { streamText, type LanguageModelUsage } from "ai";
import { env } from "../env";
import { uuidv7 } from "../ids";
import { findModel, languageModel } from "../models/registry";
import {
  claimRequest,
  failExhaustedRequest,
  findChatByUuid,
  finishAttempt,
  historyUpTo,
  recordRequestSent,
  releaseLease,
} from "@/db/queries/attempts";
import { estimateTokens } from "@/db/queries/usage";
import { Heartbeat } from "./heartbeat";
import { retryWhileDatabaseDown } from "./db-retry";
import { isDatabaseDown } from "../http/db-errors";
import { GenerationStop, readableModelError } from "./errors";
import { buildPrompt } from "./prompt";
import { generateChatTitle } from "./title";
import { localRuns } from "./local-runs";
import { log, logPrompts } from "../log";
import { metrics } from "../metrics";
import { codePointLength } from "../text";

/**
 * How long the last write of an answer waits for an unreachable database (a restart, a
 * failover) before giving up. Meanwhile the answer stays `running` under this runner; past
 * it, the lease runs out and the next poll generates the answer again (attempt + 1).
 */
const FINAL_WRITE_RETRY_MS = 60_000;

/** How long one runner may generate before it hands over (Vercel: under the function's maxDuration). */
export function runnerTimeBudgetMs(e = env()): number | undefined {
  if (e.RUNNER_TIME_BUDGET_MS !== undefined) return e.RUNNER_TIME_BUDGET_MS > 0 ? e.RUNNER_TIME_BUDGET_MS : undefined;
  // The generating routes export maxDuration = 300: hand over 15 s before the platform stops us.
  return e.VERCEL ? 285_000 : undefined;
}

export async function runGeneration(requestUuid: string): Promise<void> {
  const e = env();
  const claim = await claimRequest({
    requestUuid,
    leaseMs: e.LEASE_MS,
    maxAttempts: e.MAX_ATTEMPTS,
    newMessageUuid: uuidv7(),
  });
  if (!claim) {
    // Not claimable: finished, owned by a live runner, or its runners died too often.
    const budgetMs = runnerTimeBudgetMs(e);
    const exhausted = await failExhaustedRequest({
      requestUuid,
      maxAttempts: e.MAX_ATTEMPTS,
      error:
        budgetMs === undefined
          ? `The answer was interrupted ${e.MAX_ATTEMPTS} times because the server stopped while generating. Retry.`
          : `The answer was interrupted ${e.MAX_ATTEMPTS} times: it takes longer than one run may last here (${budgetMs / 1000} s), or the server kept stopping. Retry, or ask for a shorter answer.`,
    });
    if (exhausted) {
      metrics.generationExhausted();
      log().warn({ llmRequestId: requestUuid, maxAttempts: e.MAX_ATTEMPTS }, "generation failed: interrupted too many times");
    }
    return;
  }
  const { request } = claim;
  const attempt = request.attempt;
  const logger = log().child({ llmRequestId: requestUuid, attempt });
  const startedAt = Date.now();
  logger.info({ model: request.model, chatUuid: request.chatUuid }, "generation started");
  metrics.generationStarted();
  let outcome: Parameters<typeof metrics.generationEnded>[0]["outcome"] = "stopped";
  const controller = new AbortController();
  let stop: GenerationStop | undefined;
  const abort = (s: GenerationStop) => {
    if (stop) return;
    stop = s;
    controller.abort(s);
  };
  const unregister = localRuns.add(requestUuid, abort);

  const heartbeat = new Heartbeat({
    requestUuid,
    attempt,
    leaseMs: e.LEASE_MS,
    flushIntervalMs: e.FLUSH_INTERVAL_MS,
    flushMaxChars: e.FLUSH_MAX_CHARS,
    logger,
    onFenced: abort,
    stopped: () => stop !== undefined,
  });
  const { batcher } = heartbeat;
  const seconds = (ms: number) => Math.round(ms / 1000);
  const hardTimer = setTimeout(
    () => abort(new GenerationStop("timeout", `The answer took longer than ${seconds(e.GENERATION_TIMEOUT_MS)} seconds and was stopped. Retry, or ask for a shorter answer.`)),
    e.GENERATION_TIMEOUT_MS,
  );
  let firstTokenTimer: NodeJS.Timeout | undefined = setTimeout(
    () => abort(new GenerationStop("first_token", `The model did not start answering within ${seconds(e.FIRST_TOKEN_TIMEOUT_MS)} seconds. Retry in a moment.`)),
    e.FIRST_TOKEN_TIMEOUT_MS,
  );
  let stallTimer: NodeJS.Timeout | undefined;
  // Past its time budget a runner hands over like at shutdown: the next poll resumes the answer.
  const budgetMs = runnerTimeBudgetMs(e);
  const budgetTimer =
    budgetMs === undefined
      ? undefined
      : setTimeout(() => abort(new GenerationStop("shutdown", `The runner reached its time budget of ${budgetMs} ms.`)), budgetMs);
  const armStall = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(
      () => abort(new GenerationStop("stall", `The model stopped sending text for ${seconds(e.STALL_TIMEOUT_MS)} seconds, so the answer was stopped. Retry.`)),
      e.STALL_TIMEOUT_MS,
    );
  };

  let usage: LanguageModelUsage | undefined;
  let sent: Promise<void> = Promise.resolve();
  const info = findModel(request.model);
  try {
    // Between POST /send and the model being asked: as few round trips in sequence as there
    // can be (the claim, then these two together; what was sent is recorded meanwhile).
    const [chat, { messages: history, memberCount }] = await Promise.all([
      findChatByUuid(request.chatUuid),
      historyUpTo({ chatUuid: request.chatUuid, promptMessageUuid: request.promptMessageUuid }),
    ]);
    if (!chat) throw new GenerationStop("fenced", "The chat was deleted.");
    const model = languageModel(request.model);
    if (!model) {
      throw new Error(`model_not_configured`);
    }
    // Shared now, or written by several people before: the model is told who said what.
    const authors = memberCount > 1 || new Set(history.flatMap((m) => (m.role === "user" && m.authorId ? [m.authorId] : []))).size > 1;
    const prompt = buildPrompt(history, { system: chat.params.systemPrompt, budgetChars: e.CONTEXT_BUDGET_CHARS, authors });
    if (logPrompts()) logger.info({ system: prompt.system, messages: prompt.messages, trimmed: prompt.trimmed }, "prompt");
    // Not awaited before the model call: every write that ends the attempt waits for it first,
    // so the provider's usage, written at the end, is never overwritten by this estimate.
    sent = recordRequestSent({
      requestUuid,
      attempt,
      inputTokensEstimate: estimateTokens([prompt.system ?? "", ...prompt.messages.map((m) => (typeof m.content === "string" ? m.content : ""))].join("\n")),
      request: {
        model: request.model,
        system: prompt.system ?? null,
        messageUuids: prompt.messageUuids,
        trimmed: prompt.trimmed,
        temperature: chat.params.temperature ?? null,
      },
    }).catch((err: unknown) => logger.warn({ err }, "could not record the request sent to the model"));
    const result = streamText({
      model,
      system: prompt.system,
      messages: prompt.messages,
      temperature: chat.params.temperature,
      abortSignal: controller.signal,
      maxRetries: 2,
      // Errors arrive as stream parts and are handled below; the SDK's default logs them again.
      onError: () => {},
      // Spans only when OpenTelemetry is set up (instrumentation.ts); text only with LOG_PROMPTS.
      telemetry: {
        isEnabled: Boolean(e.OTEL_EXPORTER_OTLP_ENDPOINT),
        functionId: "pollchat.answer",
        recordInputs: logPrompts(),
        recordOutputs: logPrompts(),
      },
    });
    for await (const part of result.fullStream) {
      if (part.type === "text-delta") {
        if (firstTokenTimer) {
          clearTimeout(firstTokenTimer);
          firstTokenTimer = undefined;
        }
        armStall();
        if (!heartbeat.push(part.text)) throw new GenerationStop("fenced", "This generation was cancelled or taken over.");
      } else if (part.type === "error") {
        throw part.error;
      } else if (part.type === "abort") {
        throw stop ?? new GenerationStop("cancelled", "The answer was stopped.");
      } else if (part.type === "finish") {
        usage = part.totalUsage;
      }
    }
    if (stop) throw stop;
    // The model is done: its deadlines no longer apply to the (possibly retried) last write.
    for (const timer of [hardTimer, stallTimer, firstTokenTimer]) clearTimeout(timer);
    await heartbeat.stop();
    await sent;
    const done = await retryWhileDatabaseDown(
      async () =>
        (await batcher.flush(true)) &&
        finishAttempt({
          requestUuid,
          attempt,
          status: "completed",
          text: batcher.text,
          usage: { inputTokens: usage?.inputTokens, outputTokens: usage?.outputTokens, estimated: Boolean(info?.demo) },
        }),
      {
        forMs: FINAL_WRITE_RETRY_MS,
        giveUp: () => stop !== undefined,
        onRetry: (err, tries) => tries === 1 && logger.warn({ err }, "finishing the answer failed; retrying until the database answers"),
      },
    );
    outcome = done ? "completed" : "stopped";
    logger.info(
      {
        ms: Date.now() - startedAt,
        characters: codePointLength(batcher.text),
        inputTokens: usage?.inputTokens,
        outputTokens: usage?.outputTokens,
        ...(logPrompts() ? { answer: batcher.text } : {}),
      },
      done ? "generation completed" : "generation stopped: taken over before it could finish",
    );
    if (done && chat.title === "") {
      // The answer is stored: a title that cannot be saved (database down) must not undo that.
      await generateChatTitle({ chatUuid: chat.uuid, modelId: request.model, history, answer: batcher.text }).catch((err: unknown) =>
        logger.warn({ err }, "could not save the chat's title"),
      );
    }
  } catch (err) {
    await sent;
    const reason = stop?.reason ?? (err instanceof GenerationStop ? err.reason : undefined);
    if (reason === "fenced" || reason === "cancelled") {
      outcome = reason === "cancelled" ? "cancelled" : "stopped";
      logger.info({ ms: Date.now() - startedAt, reason }, reason === "cancelled" ? "generation cancelled" : "generation stopped: cancelled or taken over elsewhere");
      return;
    }
    if (reason === "shutdown") {
      // Hand over: keep what was generated for the record, and let another server resume now.
      outcome = "handed_over";
      await heartbeat.stop();
      await batcher.flush(true).catch(() => false);
      await releaseLease({ requestUuid, attempt }).then(
        () => logger.info({ ms: Date.now() - startedAt, characters: codePointLength(batcher.text), why: (stop ?? (err as Error)).message }, "generation handed over"),
        (e: unknown) => logger.error({ err: e }, "could not hand over the generation"),
      );
      return;
    }
    if (!stop && isDatabaseDown(err)) {
      // Not the model's fault: leave the answer running. Its lease runs out (or is released now
      // if the database answers again) and the next poll resumes it with attempt + 1.
      outcome = "stopped";
      logger.error({ err, ms: Date.now() - startedAt }, "generation interrupted: the database is unreachable; the next poll resumes it");
      await heartbeat.stop();
      await releaseLease({ requestUuid, attempt }).catch(() => {});
      return;
    }
    const message =
      (err as Error)?.message === "model_not_configured"
        ? `The model ${request.model} is not configured on this server any more. Pick another model and retry.`
        : readableModelError(stop ?? err, request.model);
    outcome = "failed";
    if (stop instanceof GenerationStop) logger.warn({ ms: Date.now() - startedAt, reason: stop.reason, error: message }, "generation failed");
    else logger.warn({ ms: Date.now() - startedAt, err, error: message }, "generation failed: the model call failed");
    await heartbeat.stop();
    await batcher.flush(true).catch(() => false);
    await retryWhileDatabaseDown(
      () =>
        finishAttempt({
          requestUuid,
          attempt,
          status: "failed",
          text: batcher.text,
          error: message,
          usage: usage ? { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, estimated: Boolean(info?.demo) } : undefined,
        }),
      { forMs: FINAL_WRITE_RETRY_MS, giveUp: () => stop?.reason === "shutdown" },
    ).catch((e: unknown) => logger.error({ err: e }, "could not record the failure; the next poll retries the answer"));
  } finally {
    void heartbeat.stop();
    clearTimeout(budgetTimer);
    clearTimeout(hardTimer);
    clearTimeout(firstTokenTimer);
    clearTimeout(stallTimer);
    unregister();
    metrics.generationEnded({ outcome, model: request.model, characters: codePointLength(batcher.text), outputTokens: usage?.outputTokens });
  }
}
