import { eq } from "drizzle-orm";
import { getDb } from "../client.ts";
import { users, type User } from "../schema.ts";

export async function findUserByEmail(email: string): Promise<User | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return row;
}

/** Creates a password account; undefined when the email is taken (the unique index decides). */
export async function insertPasswordUser(input: {
  email: string;
  name: string | null;
  passwordHash: string;
}): Promise<User | undefined> {
  const db = await getDb();
  const [row] = await db
    .insert(users)
    .values({ email: input.email, name: input.name, passwordHash: input.passwordHash })
    .onConflictDoNothing({ target: users.email })
    .returning();
  return row;
}
