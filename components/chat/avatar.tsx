import { avatarHue, initials } from "@/client/members";

/** A person's initials in a circle of their own colour (the same in every chat and every browser). */
export function Avatar({ id, name, size = 28, title }: { id: string; name: string; size?: number; title?: string }) {
  return (
    <span
      className="person-avatar"
      style={{ width: size, height: size, fontSize: Math.round(size * 0.4), ["--avatar-hue" as string]: avatarHue(id) }}
      title={title ?? name}
      aria-hidden="true"
    >
      {initials(name)}
    </span>
  );
}
