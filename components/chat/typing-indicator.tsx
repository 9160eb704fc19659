/** Three bouncing dots: an answer is on its way and has nothing to show yet. */
export function TypingIndicator() {
  return (
    <span className="typing" role="status" aria-label="Assistant is typing">
      <span />
      <span />
      <span />
    </span>
  );
}
