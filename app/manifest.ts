import type { MetadataRoute } from "next";
import { THEME_COLORS } from "@/client/theme-boot";

/**
 * The web app manifest: PollChat installs to a phone's home screen and opens as an app of its
 * own, on the chat. The browser's bar takes the page's theme colour (app/layout.tsx), which
 * follows the light or dark theme; the manifest's is the light one, its splash the same.
 */
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: "PollChat",
    short_name: "PollChat",
    description: "AI chat that never loses an answer.",
    id: "/",
    start_url: "/chat",
    scope: "/",
    display: "standalone",
    background_color: THEME_COLORS.light,
    theme_color: THEME_COLORS.light,
    icons: [
      { src: "/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
  };
}
