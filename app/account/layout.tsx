import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { pageUser } from "@/lib/auth/session";
import { SettingsFrame } from "@/components/account/settings-frame";

export const metadata: Metadata = { title: { default: "Account", template: "%s · Account · PollChat" } };

/** The account area: usage, API tokens, data. Signed out: to the sign-in page. */
export default async function AccountLayout({ children }: { children: React.ReactNode }) {
  const user = await pageUser();
  if (!user) redirect("/signin?callbackUrl=/account");
  return <SettingsFrame user={user}>{children}</SettingsFrame>;
}
