import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { pageUser } from "@/lib/auth/session";
import { DataTransfer } from "@/components/account/data-transfer";

export const metadata: Metadata = { title: "Data" };
export const dynamic = "force-dynamic";

export default async function DataPage() {
  const user = await pageUser();
  if (!user) redirect("/signin?callbackUrl=/account/data");
  return (
    <>
      <h1>Your data</h1>
      <p className="lead">Take your chats with you, or bring them back: the export is one JSON file that the import reads.</p>
      <DataTransfer />
    </>
  );
}
