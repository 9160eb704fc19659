"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/account", label: "Usage" },
  { href: "/account/tokens", label: "API tokens" },
  { href: "/account/data", label: "Data" },
];

export function AccountNav() {
  const pathname = usePathname();
  return (
    <nav className="account-nav" aria-label="Account">
      <ul>
        {LINKS.map((l) => (
          <li key={l.href}>
            <Link href={l.href} aria-current={pathname === l.href ? "page" : undefined} prefetch={false}>
              {l.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
