import Link from "next/link";
import { StatusPage } from "@/components/status-page";

export default function NotFound() {
  return (
    <StatusPage title="Nothing here" lead="This page does not exist, or it belongs to someone else.">
      <div className="status-actions">
        <Link className="btn btn-primary" href="/chat">
          Go to your chats
        </Link>
      </div>
    </StatusPage>
  );
}
