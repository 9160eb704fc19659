"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/account", label: "Usage" },
  { href: "/account/tokens", label: "API tokens" },
  { href: "/account/data", label: "Data" },
];

/** The account area's pages; an admin also gets the admin area. */
export function AccountNav({ admin = false }: { admin?: boolean }) {
  const pathname = usePathname();
  const links = admin ? [...LINKS, { href: "/admin", label: "Admin" }] : LINKS;
  return (
    <nav className="account-nav" aria-label="Account">
      <ul>
        {links.map((l) => (
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
