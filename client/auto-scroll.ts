/**
 * Keeps a scrolling container pinned to its bottom while content grows, until the person
 * scrolls up; scrolling back to the bottom (or jumping there) pins it again.
 */
import { useCallback, useEffect, useRef, useState, type RefObject } from "react";

const NEAR_BOTTOM_PX = 48;

export function useStickToBottom(scrollRef: RefObject<HTMLElement | null>, contentRef: RefObject<HTMLElement | null>) {
  const stick = useRef(true);
  const lastTop = useRef(0);
  const [atBottom, setAtBottom] = useState(true);

  const scrollToBottom = useCallback(
    (behavior: ScrollBehavior = "auto") => {
      const el = scrollRef.current;
      if (!el) return;
      stick.current = true;
      setAtBottom(true);
      el.scrollTo({ top: el.scrollHeight, behavior });
    },
    [scrollRef],
  );

  useEffect(() => {
    const el = scrollRef.current;
    const content = contentRef.current;
    if (!el || !content) return;
    el.scrollTop = el.scrollHeight;
    lastTop.current = el.scrollTop;

    const onScroll = () => {
      const distance = el.scrollHeight - el.scrollTop - el.clientHeight;
      if (el.scrollTop < lastTop.current - 2 && distance > NEAR_BOTTOM_PX) stick.current = false;
      else if (distance <= NEAR_BOTTOM_PX) stick.current = true;
      lastTop.current = el.scrollTop;
      setAtBottom(stick.current || distance <= NEAR_BOTTOM_PX);
    };
    // A wheel or touch upwards unpins at once, even while new text keeps pushing the bottom.
    const onWheel = (e: WheelEvent) => {
      if (e.deltaY < 0 && el.scrollHeight > el.clientHeight) {
        stick.current = false;
        setAtBottom(false);
      }
    };
    const onGrow = () => {
      if (stick.current) {
        el.scrollTop = el.scrollHeight;
        lastTop.current = el.scrollTop;
      } else {
        setAtBottom(el.scrollHeight - el.scrollTop - el.clientHeight <= NEAR_BOTTOM_PX);
      }
    };
    const ro = new ResizeObserver(onGrow);
    ro.observe(content);
    ro.observe(el);
    el.addEventListener("scroll", onScroll, { passive: true });
    el.addEventListener("wheel", onWheel, { passive: true });
    return () => {
      ro.disconnect();
      el.removeEventListener("scroll", onScroll);
      el.removeEventListener("wheel", onWheel);
    };
  }, [scrollRef, contentRef]);

  return { atBottom, scrollToBottom };
}
