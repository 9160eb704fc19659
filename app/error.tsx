"use client";
/**
 * What a page shows when rendering it failed: in practice the database was unreachable for a
 * moment (the API endpoints answer 503 then). Nothing is lost, since answers keep generating on the
 * server, so the page says so and tries again by itself every few seconds, no stack trace.
 */
import Link from "next/link";
import { useEffect, useState } from "react";
import { useRouter } from "next/navigation";
import { StatusPage } from "@/components/status-page";

const RETRY_SECONDS = 5;

export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const router = useRouter();
  const [left, setLeft] = useState(RETRY_SECONDS);

  const retry = () => {
    setLeft(RETRY_SECONDS);
    router.refresh();
    reset();
  };

  // A countdown to the next automatic try; each try restarts it.
  useEffect(() => {
    const t = setTimeout(() => {
      if (left > 1) setLeft(left - 1);
      else {
        setLeft(RETRY_SECONDS);
        router.refresh();
        reset();
      }
    }, 1000);
    return () => clearTimeout(t);
  }, [left, router, reset]);

  return (
    <StatusPage
      title="We can't load this page right now"
      lead="The server could not reach its database for a moment. Your chats and any answer being written are safe on the server."
    >
      <p className="status-retry" role="status" aria-live="polite">
        Trying again in {left} s…
      </p>
      <div className="status-actions">
        <button type="button" className="btn btn-primary" onClick={retry}>
          Try again now
        </button>
        <Link className="btn" href="/chat">
          Go to your chats
        </Link>
      </div>
    </StatusPage>
  );
}
