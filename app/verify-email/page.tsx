import type { Metadata } from "next";
import { BrandCard } from "@/components/status-page";
import { VerifyEmail } from "@/components/auth/email-link-forms";

export const metadata: Metadata = { title: "Confirm your email" };

/** The page a verification mail links to: /verify-email?token=… */
export default async function VerifyEmailPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await props.searchParams;
  return (
    <BrandCard>
      <h1>Confirm your email</h1>
      <VerifyEmail token={typeof token === "string" ? token : ""} />
    </BrandCard>
  );
}
