/**
 * What a person reads when an answer fails: a sentence they can act on, never a stack trace.
 */
import "server-only";
/**
 * Why a runner stops before the model is done: a person stopped it, another process took it
 * over, a deadline ran out, the server is shutting down (or its time budget is spent), or the
 * chat's model is not configured here any more. The message is what a person reads.
 */
export type StopReason = "cancelled" | "fenced" | "timeout" | "first_token" | "stall" | "shutdown" | "model_not_configured";

export class GenerationStop extends Error {
  override name = "GenerationStop";
  constructor(
    readonly reason: StopReason,
    message: string,
  ) {
    super(message);
  }
}

interface ApiErrorLike {
  name?: string;
  message?: string;
  statusCode?: number;
  responseHeaders?: Record<string, string>;
  cause?: unknown;
  lastError?: ApiErrorLike;
  errors?: unknown[];
}

function innermost(err: unknown): ApiErrorLike {
  let e = err as ApiErrorLike;
  // RetryError wraps the last attempt's error.
  if (e?.name === "AI_RetryError" && e.lastError) e = e.lastError;
  return e ?? {};
}

/**
 * The provider rejected the request as such (400, 422: as a server that does not take a final
 * assistant message does), not a failure that retrying the same request could get past.
 */
export function requestRejected(err: unknown): boolean {
  if (err instanceof GenerationStop) return false;
  const status = innermost(err).statusCode;
  return status === 400 || status === 422;
}

export function readableModelError(err: unknown, model: string): string {
  if (err instanceof GenerationStop) return err.message;
  const e = innermost(err);
  const status = e.statusCode;
  if (status === 401 || status === 403) {
    return `The model provider refused the request (${status}): check the API key configured for ${model}.`;
  }
  if (status === 404) return `The model provider does not know the model ${model} (404). Pick another model.`;
  if (status === 429) {
    return "The model provider is rate limiting requests right now (429). Wait a minute, then retry.";
  }
  if (status === 400 || status === 413 || status === 422) {
    return `The model provider rejected the request (${status}); the conversation may be too long for ${model}. Start a new chat or retry.`;
  }
  if (status && status >= 500) return `The model provider had an error (${status}). Retry in a moment.`;
  const name = e.name ?? "";
  const text = `${name} ${e.message ?? ""} ${String((e.cause as { code?: string } | undefined)?.code ?? "")}`;
  if (/JSONParse|TypeValidation|InvalidResponse|parse/i.test(name)) {
    return "The model provider sent a response that could not be read. Retry, or pick another model.";
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|fetch failed|Cannot connect/i.test(text)) {
    return `Could not reach the model provider for ${model}. Check that it is running and reachable, then retry.`;
  }
  if (/ECONNRESET|terminated|socket|other side closed|Failed to process successful response|premature/i.test(text)) {
    return "The connection to the model provider broke in the middle of the answer. Retry.";
  }
  return "The model call failed unexpectedly. Retry, or pick another model.";
}
