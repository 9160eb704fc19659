import type { Metadata, Viewport } from "next";
import { THEME_BOOT_SCRIPT } from "@/lib/client/theme-boot";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "PollChat", template: "%s · PollChat" },
  description: "AI chat that never loses an answer.",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f7f7f8" },
    { media: "(prefers-color-scheme: dark)", color: "#0f0f12" },
  ],
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* Applies a stored light/dark choice before the first paint (no flash of the wrong theme). */}
        <script dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
