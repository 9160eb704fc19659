import type { Metadata } from "next";
import Link from "next/link";
import { BrandCard } from "@/components/status-page";
import { ForgotPassword } from "@/components/auth/email-link-forms";

export const metadata: Metadata = { title: "Forgot your password" };

export default function ForgotPasswordPage() {
  return (
    <BrandCard>
      <h1>Forgot your password?</h1>
      <p className="lead">We mail you a link to choose a new one.</p>
      <ForgotPassword />
      <p className="auth-switch">
        <Link href="/signin">Back to sign in</Link>
      </p>
    </BrandCard>
  );
}
