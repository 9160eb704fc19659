import type { ReactNode } from "react";

/** A centred card with the product's mark: sign-in, sign-up, errors, not found. */
export function BrandCard({ className = "", children }: { className?: string; children: ReactNode }) {
  return (
    <main className="auth-page">
      <div className={`auth-card ${className}`.trim()}>
        <div className="brand">
          <span className="brand-mark" aria-hidden>
            ◆
          </span>
          PollChat
        </div>
        {children}
      </div>
    </main>
  );
}

/** A full-page message in the product's own look: errors, not found. */
export function StatusPage({ title, lead, children }: { title: string; lead: string; children?: ReactNode }) {
  return (
    <BrandCard className="status-card">
      <h1>{title}</h1>
      <p className="lead">{lead}</p>
      {children}
    </BrandCard>
  );
}
