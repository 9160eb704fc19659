/**
 * What a model is asked for besides text, by the operator's settings (docs/design.md §3.11):
 * its reasoning (REASONING_MODELS) and the tools (TOOL_MODELS; never the demo model, which
 * cannot call them).
 */
import "server-only";
import type { SharedV4ProviderOptions } from "@ai-sdk/provider";
import { env } from "../env";
import { DEMO_MODEL_ID, type ProviderName } from "../models/registry";

function listed(list: readonly string[], modelId: string): boolean {
  return list.includes("*") || list.includes(modelId);
}

/** Reasoning is asked for and shown for this model. */
export function reasoningOn(modelId: string, e = env()): boolean {
  return listed(e.REASONING_MODELS, modelId);
}

/**
 * The tools are offered to this model: the ones TOOL_MODELS names ("*": every real one); unset,
 * the models of providers that take tools (OpenAI, Anthropic, the AI Gateway). An
 * OpenAI-compatible server is asked only when named: many local servers refuse a request that
 * offers tools (llama.cpp without its chat templates), and every answer would fail.
 */
export function toolsOffered(modelId: string, e = env()): boolean {
  if (modelId === DEMO_MODEL_ID) return false;
  if (e.TOOL_MODELS.length) return listed(e.TOOL_MODELS, modelId);
  return !modelId.startsWith("compatible:");
}

/**
 * How each provider is asked to think: Anthropic's extended thinking with a budget, OpenAI's
 * reasoning summaries; OpenAI-compatible servers (DeepSeek, vLLM, llama.cpp) send
 * `reasoning_content` by themselves.
 */
export function reasoningOptions(provider: ProviderName, budgetTokens: number): SharedV4ProviderOptions | undefined {
  switch (provider) {
    case "anthropic":
      return { anthropic: { thinking: { type: "enabled", budgetTokens } } };
    case "openai":
      return { openai: { reasoningSummary: "auto" } };
    default:
      return undefined;
  }
}
