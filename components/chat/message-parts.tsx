"use client";

/**
 * An answer with parts (docs/design.md §3.11), in the order of its parts: its reasoning (a
 * "Thinking" block that streams open, then folds away as "Thought for N s"), the stretches of
 * its text (Markdown, as a plain answer), its tool calls as small cards (with Allow and Deny
 * while one waits for a member), and its sources listed at the end. Whatever a model or a
 * tool wrote is shown as text: only the answer's own text goes through the Markdown renderer.
 */
import { useId, useState } from "react";
import { textSlices, toolOpen, type Part, type ReasoningPart, type ToolPart } from "@/lib/parts";
import { decisionLabel, prettyValue, reasoningLabel, sourcesOf, sourceView, TOOL_STATUS_LABEL, toolTitle } from "@/lib/parts-display";
import type { MessageStatus } from "@/lib/contract";
import { ApiError, api } from "@/client/api";
import { Markdown } from "./markdown";
import { TypingIndicator } from "./typing-indicator";
import { IconAlert, IconChevron, IconCode } from "./icons";

interface Props {
  messageUuid: string;
  parts: Part[];
  /** The answer's text as shown so far (smoothly revealed): the text parts are slices of it. */
  text: string;
  status: MessageStatus;
  /** More text is on its way or still being revealed. */
  revealing: boolean;
  /** The reader may allow or deny tool calls (a member who may write, not the share page). */
  canApprove: boolean;
}

export function MessageParts({ messageUuid, parts, text, status, revealing, canApprove }: Props) {
  const slices = textSlices(parts, text);
  const pending = status === "pending";
  const lastText = parts.findLastIndex((p) => p.type === "text");
  const textFrom = (i: number) => parts.some((p, j) => j > i && p.type === "text" && (slices.get(j) ?? "") !== "");
  const sources = sourcesOf(parts);
  const last = parts.at(-1);
  // Between steps (a tool returned, the model has not written again yet) the dots say it goes on.
  const between =
    pending &&
    (!last ||
      last.type === "source" ||
      (last.type === "text" && (slices.get(parts.length - 1) ?? "") === "") ||
      (last.type === "tool" && !toolOpen(last)) ||
      (last.type === "reasoning" && Boolean(last.endedAt)));
  return (
    <div className="msg-parts" data-testid="message-parts">
      {parts.map((p, i) => {
        switch (p.type) {
          case "reasoning":
            return <ReasoningBlock key={i} part={p} live={pending && !p.endedAt && !textFrom(i)} />;
          case "text": {
            const slice = slices.get(i) ?? "";
            if (slice === "") return null;
            const streaming = revealing && i === lastText;
            return (
              <div key={i} className={`msg-content part-text${streaming ? " streaming" : ""}`} data-testid="message-text">
                <Markdown text={slice} partial={revealing || status !== "completed"} />
              </div>
            );
          }
          case "tool":
            return <ToolCard key={`${i}-${p.callId}`} part={p} messageUuid={messageUuid} canApprove={canApprove} fresh={pending} />;
          default:
            return null;
        }
      })}
      {between && <TypingIndicator />}
      {sources.length > 0 && (
        <div className="part-sources">
          <p className="part-sources-title" id={`sources-${messageUuid}`}>
            Sources
          </p>
          <ol aria-labelledby={`sources-${messageUuid}`}>
            {sources.map((s) => {
              const view = sourceView(s);
              return (
                <li key={s.url}>
                  {view.href ? (
                    <a href={view.href} target="_blank" rel="noopener noreferrer nofollow">
                      {view.text}
                    </a>
                  ) : (
                    <span>{view.text}</span>
                  )}
                </li>
              );
            })}
          </ol>
        </div>
      )}
    </div>
  );
}

/**
 * Open with a live dot while the model thinks; closed once the answer's text starts or the
 * thinking ended, unless the reader chose otherwise (their choice sticks).
 */
function ReasoningBlock({ part, live }: { part: ReasoningPart; live: boolean }) {
  const [chosen, setChosen] = useState<boolean>();
  const open = chosen ?? live;
  const id = useId();
  return (
    <div className={`part-reasoning${live ? " live" : ""}`} data-testid="reasoning">
      <button type="button" className="part-reasoning-toggle" aria-expanded={open} aria-controls={id} onClick={() => setChosen(!open)}>
        <IconChevron size={14} className="part-chevron" />
        <span>{reasoningLabel(part, live)}</span>
        {live && <span className="live-dot" aria-hidden="true" />}
      </button>
      <div id={id} className="part-reasoning-text" hidden={!open}>
        {part.text}
      </div>
    </div>
  );
}

function ToolCard({ part, messageUuid, canApprove, fresh }: { part: ToolPart; messageUuid: string; canApprove: boolean; fresh: boolean }) {
  const title = toolTitle(part);
  const decision = decisionLabel(part);
  const hasOutput = part.status === "done" && part.output !== undefined;
  return (
    <div className="part-tool" data-status={part.status} data-testid="tool-call">
      <div className="part-tool-head">
        <IconCode size={15} className="part-tool-icon" />
        <span className="part-tool-name">{title.name}</span>
        {title.source && <span className="part-tool-source">{title.source}</span>}
        <span className="part-tool-status" data-status={part.status}>
          {TOOL_STATUS_LABEL[part.status]}
        </span>
      </div>
      {part.input !== undefined && <ValueBlock label="Input" value={part.input} />}
      {hasOutput && <ValueBlock label="Output" value={part.output} />}
      {part.error && (
        <p className="part-tool-error" role={fresh ? "alert" : undefined}>
          <IconAlert size={14} /> <span>{part.error}</span>
        </p>
      )}
      {decision && <p className="part-tool-decision">{decision}</p>}
      {part.status === "awaiting-approval" && canApprove && <Approval messageUuid={messageUuid} callId={part.callId} name={title.name} />}
    </div>
  );
}

function ValueBlock({ label, value }: { label: string; value: unknown }) {
  return (
    <div className="part-tool-value">
      <span className="part-tool-label">{label}</span>
      {/* Focusable: a keyboard can scroll a long line into view (axe: scrollable-region-focusable). */}
      <pre tabIndex={0} aria-label={label}>
        {prettyValue(value)}
      </pre>
    </div>
  );
}

/** Allow or Deny: the status changes on the next polls; 409 (someone decided already) waits for them too. */
function Approval({ messageUuid, callId, name }: { messageUuid: string; callId: string; name: string }) {
  const [posting, setPosting] = useState<boolean | "sent">(false);
  const [error, setError] = useState<string>();
  const decide = async (approve: boolean) => {
    setPosting(true);
    setError(undefined);
    try {
      await api<{ approved: boolean }>(`/chat/message/${encodeURIComponent(messageUuid)}/tools/${encodeURIComponent(callId)}`, { method: "POST", json: { approve } });
      setPosting("sent");
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        setPosting("sent");
        return;
      }
      setPosting(false);
      setError(err instanceof Error ? err.message : "That did not work. Try again.");
    }
  };
  const busy = posting !== false;
  return (
    <div className="part-tool-approval" role="group" aria-label={`Run ${name}?`}>
      <button type="button" className="btn btn-small btn-primary" disabled={busy} onClick={() => void decide(true)}>
        Allow
      </button>
      <button type="button" className="btn btn-small" disabled={busy} onClick={() => void decide(false)}>
        Deny
      </button>
      {error && (
        <span className="part-tool-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
