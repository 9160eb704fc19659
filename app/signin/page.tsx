import type { Metadata } from "next";
import { AuthPage } from "@/components/auth-page";

export const metadata: Metadata = { title: "Sign in" };

export default function SignInPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  return <AuthPage mode="signin" searchParams={props.searchParams} />;
}
