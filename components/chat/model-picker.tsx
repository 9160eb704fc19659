"use client";

import { useQuery } from "@tanstack/react-query";
import { api } from "@/client/api";
import { keys, type ModelsState } from "@/client/keys";
import { IconChevron } from "./icons";

export function modelLabel(m: { label: string; demo: boolean }): string {
  return m.demo ? "Demo" : m.label;
}

export function useModels(initial?: ModelsState) {
  return useQuery({
    queryKey: keys.models,
    queryFn: () => api<ModelsState>("/api/models"),
    initialData: initial,
    staleTime: 5 * 60_000,
  });
}

/** The model a chat answers with: the configured models; the built-in demo is labelled "Demo". */
export function ModelPicker({ value, onChange, disabled }: { value: string | null; onChange: (id: string) => void; disabled?: boolean }) {
  const { data } = useModels();
  const models = data?.models ?? [];
  const selected = value ?? data?.default ?? "";
  const current = models.find((m) => m.id === selected);
  return (
    <label className="model-picker" title={current?.demo ? "The built-in demo model: canned answers, no real model" : "The model that answers in this chat"}>
      <span className="sr-only">Model</span>
      <select value={selected} onChange={(e) => onChange(e.target.value)} disabled={disabled || models.length === 0} aria-label="Model">
        {current === undefined && selected && <option value={selected}>{selected} (not available)</option>}
        {models.map((m) => (
          <option key={m.id} value={m.id}>
            {modelLabel(m)}
          </option>
        ))}
      </select>
      <IconChevron size={14} className="model-chevron" />
    </label>
  );
}
