"use client";

/**
 * Which agent and model a chat answers with, under its title: "Code helper · Demo". The
 * agent's description shows on hover (title) and on a tap or click (a small popover, which
 * Escape or a click elsewhere closes), for touch screens that have no hover.
 */
import { useEffect, useId, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/client/api";
import { keys, type AgentInfo } from "@/client/keys";
import { modelLabel, useModels } from "./model-picker";

export function useAgents() {
  return useQuery({
    queryKey: keys.agents,
    queryFn: () => api<{ agents: AgentInfo[] }>("/api/agents").then((r) => r.agents),
    staleTime: 60 * 60_000,
  });
}

/** The agent's display name ("Code helper"), or its id until the list has loaded. */
export function useAgentName(agentId: string): string {
  const { data } = useAgents();
  return data?.find((a) => a.id === agentId)?.name ?? "";
}

export function AgentBadge({ agentId, modelId }: { agentId: string; modelId: string | null }) {
  const { data: agents } = useAgents();
  const { data: models } = useModels();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const popId = useId();
  const agent = agents?.find((a) => a.id === agentId);
  const model = models?.models.find((m) => m.id === (modelId ?? models.default));

  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") setOpen(false);
    };
    document.addEventListener("pointerdown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  if (!agent) return null;
  return (
    <div className="agent-badge" ref={ref} data-testid="chat-agent">
      <button
        type="button"
        className="agent-badge-btn"
        aria-expanded={open}
        aria-controls={popId}
        title={agent.description}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="agent-badge-name">{agent.name}</span>
        {model && <span className="agent-badge-model"> · {modelLabel(model)}</span>}
      </button>
      <div id={popId} className="agent-pop" role="note" hidden={!open}>
        <strong>{agent.name}</strong>
        <span>{agent.description}</span>
        {model && <span className="muted">Model: {model.label}</span>}
      </div>
    </div>
  );
}
