/**
 * The models this deployment offers, from the environment. An id is "provider:model"
 * (e.g. "openai:gpt-5-mini", "compatible:llama3.2", "gateway:anthropic/claude-sonnet-4.5")
 * or "demo"; it is what POST /chat/{uuid}/send takes as `model`.
 */
import type { LanguageModel } from "ai";
import { createOpenAI } from "@ai-sdk/openai";
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { createGateway } from "@ai-sdk/gateway";
import { env } from "../env";
import { createDemoModel } from "./demo";

export type ProviderName = "demo" | "openai" | "anthropic" | "compatible" | "gateway";

export interface ModelInfo {
  id: string;
  label: string;
  provider: ProviderName;
  /** The built-in demo: answers are canned, usage is estimated. */
  demo: boolean;
  /** What it is given of attached files besides text (docs/design.md §3.13). */
  input: ModelInput;
}

/**
 * Images as images, PDFs as files: what the model reads. What it does not read goes to it as
 * text (a PDF's text) or not at all (an image: the answer carries a note saying so).
 */
export interface ModelInput {
  images: boolean;
  pdf: boolean;
}

/**
 * IMAGE_MODELS / PDF_MODELS name the models ("*": every real one); unset, the providers whose
 * models all read both (OpenAI, Anthropic, the AI Gateway's). An OpenAI-compatible server is
 * given files only when named: a text-only one (most local models) refuses the request, and
 * every answer with an image would fail. The demo reads neither.
 */
export function modelInput(id: string, provider: ProviderName, e = env()): ModelInput {
  if (provider === "demo") return { images: false, pdf: false };
  const reads = (list: readonly string[]) => (list.length ? list.includes("*") || list.includes(id) : provider !== "compatible");
  return { images: reads(e.IMAGE_MODELS), pdf: reads(e.PDF_MODELS) };
}

const DEFAULTS = {
  openai: ["gpt-5-mini", "gpt-5"],
  anthropic: ["claude-sonnet-4-5", "claude-haiku-4-5"],
  gateway: ["openai/gpt-5-mini", "anthropic/claude-sonnet-4.5"],
};

export const DEMO_MODEL_ID = "demo";

export function listModels(): ModelInfo[] {
  const e = env();
  const models: ModelInfo[] = [];
  const add = (provider: ProviderName, ids: string[], prefix: string) => {
    for (const id of ids) {
      const full = `${provider}:${id}`;
      models.push({ id: full, label: `${id} (${prefix})`, provider, demo: false, input: modelInput(full, provider, e) });
    }
  };
  if (e.OPENAI_COMPATIBLE_BASE_URL && e.OPENAI_COMPATIBLE_MODELS.length) {
    add("compatible", e.OPENAI_COMPATIBLE_MODELS, e.OPENAI_COMPATIBLE_NAME);
  }
  if (e.OPENAI_API_KEY) add("openai", e.OPENAI_MODELS.length ? e.OPENAI_MODELS : DEFAULTS.openai, "OpenAI");
  if (e.ANTHROPIC_API_KEY) add("anthropic", e.ANTHROPIC_MODELS.length ? e.ANTHROPIC_MODELS : DEFAULTS.anthropic, "Anthropic");
  if (e.AI_GATEWAY_API_KEY) add("gateway", e.AI_GATEWAY_MODELS.length ? e.AI_GATEWAY_MODELS : DEFAULTS.gateway, "AI Gateway");
  if (models.length === 0 || e.DEMO_MODEL) {
    models.push({ id: DEMO_MODEL_ID, label: "Demo model (no real model configured)", provider: "demo", demo: true, input: modelInput(DEMO_MODEL_ID, "demo", e) });
  }
  return models;
}

export function findModel(id: string): ModelInfo | undefined {
  return listModels().find((m) => m.id === id);
}

/** The model for a new chat: DEFAULT_MODEL when it is configured, else the first one offered. */
export function defaultModelId(): string {
  const wanted = env().DEFAULT_MODEL;
  const models = listModels();
  return (wanted && models.some((m) => m.id === wanted) ? wanted : models[0]!.id);
}

/** The AI SDK model for an id from listModels(); undefined when it is not (or no longer) configured. */
export function languageModel(id: string): LanguageModel | undefined {
  const info = findModel(id);
  if (!info) return undefined;
  const e = env();
  const name = id.slice(id.indexOf(":") + 1);
  switch (info.provider) {
    case "demo":
      return createDemoModel({ tokensPerSecond: e.DEMO_TOKENS_PER_SECOND });
    case "openai":
      return createOpenAI({ apiKey: e.OPENAI_API_KEY })(name);
    case "anthropic":
      return createAnthropic({ apiKey: e.ANTHROPIC_API_KEY, ...(e.ANTHROPIC_BASE_URL ? { baseURL: e.ANTHROPIC_BASE_URL } : {}) })(name);
    case "compatible":
      return createOpenAICompatible({
        name: "compatible",
        baseURL: e.OPENAI_COMPATIBLE_BASE_URL!,
        apiKey: e.OPENAI_COMPATIBLE_API_KEY,
        includeUsage: true,
      })(name);
    case "gateway":
      return createGateway({ apiKey: e.AI_GATEWAY_API_KEY })(name);
  }
}
