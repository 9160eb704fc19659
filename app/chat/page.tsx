import { redirect } from "next/navigation";
import { auth } from "@/lib/auth/config";
import { SignOutButton } from "@/components/sign-out-button";

export const metadata = { title: "Chats" };

export default async function ChatHome() {
  const session = await auth();
  if (!session?.user) redirect("/signin?callbackUrl=/chat");
  return (
    <main className="auth-page">
      <div className="auth-card">
        <div className="brand">
          <span className="brand-mark" aria-hidden>
            ◆
          </span>
          PollChat
        </div>
        <h1>Hello, {session.user.name || session.user.email}</h1>
        <p className="lead" data-testid="signed-in-as">
          Signed in as {session.user.email}
        </p>
        <SignOutButton />
      </div>
    </main>
  );
}
