import type { ReactNode } from "react";

/** A full-page message in the product's own look: errors, not found. */
export function StatusPage({ title, lead, children }: { title: string; lead: string; children?: ReactNode }) {
  return (
    <main className="auth-page">
      <div className="auth-card status-card">
        <div className="brand">
          <span className="brand-mark" aria-hidden>
            ◆
          </span>
          PollChat
        </div>
        <h1>{title}</h1>
        <p className="lead">{lead}</p>
        {children}
      </div>
    </main>
  );
}
