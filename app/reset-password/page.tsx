import type { Metadata } from "next";
import { BrandCard } from "@/components/status-page";
import { ResetPassword } from "@/components/auth/email-link-forms";

export const metadata: Metadata = { title: "Choose a new password" };

/** The page a reset mail links to: /reset-password?token=… */
export default async function ResetPasswordPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await props.searchParams;
  return (
    <BrandCard>
      <h1>Choose a new password</h1>
      <ResetPassword token={typeof token === "string" ? token : ""} />
    </BrandCard>
  );
}
