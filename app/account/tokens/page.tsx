import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { pageUser } from "@/lib/auth/session";
import { listTokens } from "@/lib/tokens/api-tokens";
import { TokensManager } from "@/components/account/tokens-manager";

export const metadata: Metadata = { title: "API tokens" };
export const dynamic = "force-dynamic";

export default async function TokensPage() {
  const user = await pageUser();
  if (!user) redirect("/signin?callbackUrl=/account/tokens");
  return (
    <>
      <h1>API tokens</h1>
      <p className="lead">
        A personal API token lets a script or another program use PollChat as you, with <code>Authorization: Bearer</code> instead of signing in. Give each
        program its own token, and revoke it when you stop using it.
      </p>
      <TokensManager initial={await listTokens({ userId: user.id })} />
    </>
  );
}
