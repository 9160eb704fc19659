/** Which model a chat answers with: the one asked for (validated), else the chat's, else the default. */
import "server-only";
import { AppError } from "../errors";
import { defaultModelId, findModel, listModels } from "../models/registry";

/** A model asked for by id (400 when unknown), or the default when none is asked for. */
export function resolveModel(model: string | undefined): string {
  if (model === undefined) return defaultModelId();
  if (!findModel(model)) {
    throw new AppError("validation_error", `Unknown model "${model}". Choose one of: ${listModels().map((m) => m.id).join(", ")}.`);
  }
  return model;
}

/**
 * The model of a new generation: `requested` (already resolved) when given, else the chat's
 * current model while this server still offers it, else the default.
 */
export function modelForChat(requested: string | undefined, chatModel: string | null): string {
  if (requested !== undefined) return requested;
  return chatModel && findModel(chatModel) ? chatModel : defaultModelId();
}
