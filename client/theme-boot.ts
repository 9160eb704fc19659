/** The stored theme's key, and the inline script that applies it before the first paint (server-safe: no React). */
export const THEME_KEY = "pollchat:theme";

export const THEME_BOOT_SCRIPT = `try{var t=localStorage.getItem(${JSON.stringify(THEME_KEY)});if(t==="light"||t==="dark")document.documentElement.dataset.theme=t}catch(e){}`;
