import { redirect } from "next/navigation";
import { auth } from "@/lib/auth/config";

export default async function Home() {
  redirect((await auth())?.user ? "/chat" : "/signin");
}
