import type { Metadata } from "next";
import { AuthPage } from "@/components/auth-page";

export const metadata: Metadata = { title: "Create account" };

export default function SignUpPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  return <AuthPage mode="signup" searchParams={props.searchParams} />;
}
