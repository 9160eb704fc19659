import { redirect } from "next/navigation";
import { pageUser } from "@/lib/auth/session";

export default async function Home() {
  redirect((await pageUser()) ? "/chat" : "/signin");
}
