import Link from "next/link";
import { StatusPage } from "@/components/status-page";

export default function ShareNotFound() {
  return (
    <StatusPage title="This link does not open a chat" lead="The chat is not shared, or its owner made it private again.">
      <div className="status-actions">
        <Link className="btn btn-primary" href="/chat">
          Go to your chats
        </Link>
      </div>
    </StatusPage>
  );
}
