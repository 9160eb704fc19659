"use client";

/**
 * "‹ 2/3 ›" under a message with other versions (docs/design.md §3.12): an edit made a new
 * version of a question, a regenerate a new version of an answer. A step shows that version and
 * the conversation that followed it.
 */
import { IconChevronLeft, IconChevronRight } from "./icons";

export function VersionSwitch(props: { uuid: string; versions: string[]; disabled: boolean; onSwitch: (uuid: string) => void }) {
  const { versions } = props;
  const at = versions.indexOf(props.uuid);
  if (versions.length < 2 || at < 0) return null;
  const prev = versions[at - 1];
  const next = versions[at + 1];
  return (
    <div className="version-switch" role="group" aria-label="Versions" data-testid="version-switch">
      <button type="button" className="icon-btn" aria-label="Previous version" title="Previous version" disabled={props.disabled || !prev} onClick={() => prev && props.onSwitch(prev)}>
        <IconChevronLeft size={14} />
      </button>
      <span className="version-count" data-testid="version-count" aria-hidden="true">
        {at + 1}/{versions.length}
      </span>
      <span className="sr-only">
        Version {at + 1} of {versions.length}
      </span>
      <button type="button" className="icon-btn" aria-label="Next version" title="Next version" disabled={props.disabled || !next} onClick={() => next && props.onSwitch(next)}>
        <IconChevronRight size={14} />
      </button>
    </div>
  );
}
