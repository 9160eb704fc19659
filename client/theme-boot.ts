/** The stored theme's key, and the inline script that applies it before the first paint (server-safe: no React). */
export const THEME_KEY = "pollchat:theme";

/** The browser bar's colour in each theme (the page background); app/layout.tsx, app/manifest.ts. */
export const THEME_COLORS = { light: "#f7f7f8", dark: "#0f0f12" } as const;

export const THEME_BOOT_SCRIPT = `try{var t=localStorage.getItem(${JSON.stringify(THEME_KEY)});if(t==="light"||t==="dark")document.documentElement.dataset.theme=t}catch(e){}`;
