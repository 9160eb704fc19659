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

/** The tools are offered to this model. */
export function toolsOffered(modelId: string, e = env()): boolean {
  return modelId !== DEMO_MODEL_ID && listed(e.TOOL_MODELS, modelId);
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
