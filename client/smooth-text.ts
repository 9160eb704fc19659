/**
 * Reveals text that arrived in one poll over the next ~300 ms, one animation frame at a
 * time, so a stream that is fetched in batches reads like it is typed. Text already there
 * when the component mounts shows at once (a reload shows the answer so far immediately);
 * a replaced text (append:false) shows at once too.
 */
import { startTransition, useEffect, useRef, useState } from "react";

const REVEAL_MS = 300;

function reducedMotion(): boolean {
  return typeof window !== "undefined" && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

/** Never cut a surrogate pair in half. */
function cut(text: string, n: number): string {
  const code = text.charCodeAt(n - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n + 1 : n);
}

export function useSmoothText(target: string): string {
  const [shown, setShown] = useState(target);
  const shownRef = useRef(target);
  const frame = useRef(0);

  useEffect(() => {
    const from = target.startsWith(shownRef.current) ? shownRef.current.length : 0;
    const jump = from === 0 && shownRef.current !== "" ? true : reducedMotion();
    const start = performance.now();
    const step = (now: number) => {
      const t = jump ? 1 : Math.min(1, (now - start) / REVEAL_MS);
      const next = t >= 1 ? target : cut(target, Math.round(from + (target.length - from) * t));
      if (next !== shownRef.current) {
        shownRef.current = next;
        // A transition: a frame-by-frame reveal must never starve a navigation (an urgent
        // update every frame would restart the page's transition render again and again).
        startTransition(() => setShown(next));
      }
      frame.current = t < 1 ? requestAnimationFrame(step) : 0;
    };
    if (target !== shownRef.current) frame.current = requestAnimationFrame(step);
    return () => cancelAnimationFrame(frame.current);
  }, [target]);

  return shown;
}
